// Direct messages: conversations on one side, the open one on the other. New messages arrive live;
// a sent one shows at once and is taken back if the server refuses it.
import { useQuery } from '@tanstack/react-query';
import { Link, useParams, useSearch } from '@tanstack/react-router';
import { useEffect, useState, type FormEvent } from 'react';
import type { Conversation } from '../../../../contract/communication';
import { userMessage } from '../../../lib/errors';
import { formatDateTime, formatRelative, fullName } from '../../../lib/format';
import { Button } from '../../../ui/button';
import { EmptyState, QueryState } from '../../../ui/feedback';
import { FormError, TextArea } from '../../../ui/fields';
import { Card, Page } from '../../../ui/layout';
import { useCurrentUser } from '../../auth/queries';
import { useMarkConversationRead, useSendMessage } from '../mutations';
import { communicationQueries } from '../queries';

function Composer({ recipientId, recipientName, conversationId, onSent }: { recipientId: string; recipientName: string; conversationId?: string; onSent?: (conversationId: string) => void }) {
  const send = useSendMessage(conversationId);
  const [text, setText] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = text.trim();
    if (!body) return;
    setText('');
    send.mutate(
      { recipientId, body },
      {
        onSuccess: (message) => onSent?.(message.conversationId),
        onError: () => setText(body),
      },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-2 border-t border-slate-200 pt-3">
      <FormError message={send.error ? `Not sent: ${userMessage(send.error)}` : null} />
      <TextArea label={`Message to ${recipientName}`} rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      <Button type="submit" busy={send.isPending} disabled={!text.trim()}>
        Send
      </Button>
    </form>
  );
}

function Thread({ conversation }: { conversation: Conversation }) {
  const user = useCurrentUser();
  const messages = useQuery(communicationQueries.messages(conversation.conversationId));
  const markRead = useMarkConversationRead();
  const { mutate } = markRead;
  useEffect(() => {
    if (conversation.unreadCount > 0) mutate(conversation.conversationId);
  }, [conversation.conversationId, conversation.unreadCount, mutate]);
  const name = fullName(conversation.participant);
  return (
    <Card title={name}>
      <QueryState query={messages} loadingLabel="Loading messages…">
        {({ data }) => (
          <ol className="mb-4 max-h-[55vh] space-y-3 overflow-y-auto" aria-label={`Messages with ${name}`} aria-live="polite">
            {[...data].reverse().map((message) => {
              const mine = message.senderId === user.id || message.senderId === 'me';
              return (
                <li key={message.messageId} className={`flex ${mine ? 'justify-end' : 'justify-start'}`}>
                  <div className={`max-w-[80%] rounded-2xl px-4 py-2 ${mine ? 'bg-indigo-700 text-white' : 'bg-slate-100 text-slate-900'}`}>
                    <p className="sr-only">{mine ? 'You' : name}:</p>
                    <p className="whitespace-pre-line">{message.body}</p>
                    <p className={`mt-1 text-xs ${mine ? 'text-indigo-100' : 'text-slate-600'}`}>{message.messageId.startsWith('pending-') ? 'Sending…' : formatDateTime(message.createdAt)}</p>
                  </div>
                </li>
              );
            })}
          </ol>
        )}
      </QueryState>
      <Composer recipientId={conversation.participant.id} recipientName={conversation.participant.firstName} conversationId={conversation.conversationId} />
    </Card>
  );
}

export function MessagesPage() {
  const params = useParams({ strict: false }) as { conversationId?: string };
  const search = useSearch({ strict: false }) as { to?: string; name?: string };
  const conversations = useQuery(communicationQueries.conversations());
  const [started, setStarted] = useState<string | undefined>();
  const list = conversations.data?.data ?? [];
  const openId = params.conversationId ?? started ?? list.find((c) => c.participant.id === search.to)?.conversationId;
  const open = list.find((c) => c.conversationId === openId);

  return (
    <Page title="Messages" description={conversations.data ? `${conversations.data.unreadCount} unread` : undefined}>
      <div className="grid gap-6 lg:grid-cols-[20rem_minmax(0,1fr)]">
        <Card title="Conversations">
          <QueryState query={conversations} loadingLabel="Loading conversations…">
            {({ data }) =>
              data.length === 0 ? (
                <p className="text-sm text-slate-700">No conversation yet. Write to an instructor from a course page.</p>
              ) : (
                <ul className="-mx-2">
                  {data.map((c) => (
                    <li key={c.conversationId}>
                      <Link
                        to="/messages/$conversationId"
                        params={{ conversationId: c.conversationId }}
                        className={`block rounded-md px-2 py-2 hover:bg-slate-100 ${c.conversationId === openId ? 'bg-indigo-50' : ''}`}
                        aria-current={c.conversationId === openId ? 'page' : undefined}
                      >
                        <span className="flex items-center justify-between gap-2">
                          <span className="truncate font-medium text-slate-900">{fullName(c.participant)}</span>
                          {c.unreadCount > 0 && <span className="rounded-full bg-indigo-700 px-2 text-xs font-bold text-white">{c.unreadCount}<span className="sr-only"> unread</span></span>}
                        </span>
                        <span className="block truncate text-sm text-slate-700">{c.lastMessage.body}</span>
                        <span className="block text-xs text-slate-600">{formatRelative(c.lastMessage.createdAt)}</span>
                      </Link>
                    </li>
                  ))}
                </ul>
              )
            }
          </QueryState>
        </Card>
        {open ? (
          <Thread key={open.conversationId} conversation={open} />
        ) : search.to ? (
          <Card title={`New message to ${search.name ?? 'this person'}`}>
            <Composer recipientId={search.to} recipientName={search.name ?? 'them'} onSent={setStarted} />
          </Card>
        ) : (
          <EmptyState title="Choose a conversation" />
        )}
      </div>
    </Page>
  );
}
