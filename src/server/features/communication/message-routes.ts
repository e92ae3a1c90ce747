// Direct messages: send, list, the conversations with their unread counts, and marking one read.
import {
  ConversationIdParams,
  ConversationListResponse,
  MarkConversationReadResponse,
  MessageListQuery,
  MessageListResponse,
  SendMessageBody,
  SendMessageResponse,
} from '../../../contract/communication.js';
import { PageQuery } from '../../../contract/common.js';
import { ErrorResponse } from '../../../contract/errors.js';
import { currentUser, requireAuth } from '../../http/auth.js';
import type { Feature } from '../../http/feature.js';
import { createMessagesService } from './messages.js';

const messageRoutes: Feature = async (app, { deps }) => {
  const messages = createMessagesService({ db: deps.database.db });

  app.post(
    '/api/messages',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'sendMessage',
        tags: ['communication'],
        summary:
          'Send a direct message to someone you share a course with (admins: anyone; anyone: who wrote to you). The recipient is notified and gets message.received',
        body: SendMessageBody,
        response: { 201: SendMessageResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const message = await messages.send(currentUser(request), request.body);
      return reply.status(201).send({ message: 'Message sent successfully', data: message });
    },
  );

  app.get(
    '/api/messages',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'listMessages',
        tags: ['communication'],
        summary: "The caller's messages, sent and received, newest first: one conversation's (conversationId), those with one person (withUserId), or the unread ones",
        querystring: MessageListQuery,
        response: { 200: MessageListResponse, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => messages.list(currentUser(request), request.query),
  );

  app.get(
    '/api/messages/conversations',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'listConversations',
        tags: ['communication'],
        summary: "The caller's conversations, most recent first, each with the other person, its last message and its unread count",
        querystring: PageQuery,
        response: { 200: ConversationListResponse, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request) => messages.conversations(currentUser(request), request.query.page, request.query.limit),
  );

  app.post(
    '/api/messages/conversations/:conversationId/read',
    {
      preHandler: requireAuth(),
      schema: {
        operationId: 'markConversationRead',
        tags: ['communication'],
        summary: 'Mark the messages you received in a conversation read (and their notifications)',
        params: ConversationIdParams,
        response: { 200: MarkConversationReadResponse, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({
      message: 'Conversation marked read',
      data: await messages.markRead(currentUser(request), request.params.conversationId),
    }),
  );
};

export default messageRoutes;
