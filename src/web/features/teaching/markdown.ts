// The editor's preview: Markdown rendered in the browser, then reduced to an allow-list of tags and
// attributes, like the server does before a reader sees it.
import { marked } from 'marked';

const TAGS = new Set(
  'p h1 h2 h3 h4 h5 h6 ul ol li a em strong b i code pre blockquote img table thead tbody tr th td hr br del s sup sub span div'.split(' '),
);
const ATTRIBUTES: Record<string, string[]> = { a: ['href', 'title'], img: ['src', 'alt', 'title'], th: ['align'], td: ['align'], ol: ['start'] };
const EVENT_HANDLER_ATTRIBUTE = /[\s/]on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*)/gi;
const SAFE_URL = /^(https?:|mailto:|\/(?!\/)|#|\.{0,2}\/?[\w-])/i;

function clean(node: ParentNode): void {
  for (const child of [...node.children]) {
    const tag = child.tagName.toLowerCase();
    if (!TAGS.has(tag)) {
      // Unknown elements go, and with them anything executable; their text stays when harmless.
      if (['script', 'style', 'iframe', 'object', 'embed', 'template', 'noscript'].includes(tag)) child.remove();
      else child.replaceWith(...[...child.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE));
      continue;
    }
    for (const attribute of [...child.attributes]) {
      const allowed = ATTRIBUTES[tag]?.includes(attribute.name);
      const url = attribute.name === 'href' || attribute.name === 'src';
      if (!allowed || (url && !SAFE_URL.test(attribute.value.trim()))) child.removeAttribute(attribute.name);
    }
    // An image with no text alternative is marked decorative, so screen readers skip it (as the server does).
    if (tag === 'img' && !child.hasAttribute('alt')) child.setAttribute('alt', '');
    clean(child);
  }
}

export function renderMarkdownPreview(markdown: string): string {
  const html = marked.parse(markdown, {
    async: false,
    gfm: true,
    // The browser checks an event-handler attribute against the page's CSP as soon as it is parsed, even
    // in an inert template, and reports a violation: raw HTML loses them before parsing. clean() below
    // is still what decides what may stay.
    walkTokens: (token) => {
      if (token.type === 'html') token.text = token.text.replace(EVENT_HANDLER_ATTRIBUTE, '');
    },
  });
  // A template's content is inert: nothing in it loads or runs.
  const template = document.createElement('template');
  template.innerHTML = html;
  clean(template.content);
  return template.innerHTML;
}
