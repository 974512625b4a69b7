// An article's body is Markdown written by agents and read by agents and, for a public
// article, by citizens: rendered with markdown-it with raw HTML off (any tag is shown as
// text, never passed through), and links only to the web or a mail address (markdown-it
// already refuses javascript:, vbscript:, file: and data: URLs; we narrow it further).
// Links open in a new tab without giving it a hold on this one.
import MarkdownIt from 'markdown-it';

const SAFE_LINK = /^(https?:\/\/|mailto:|\/(?!\/)|#)/i;

function createRenderer(): ReturnType<typeof MarkdownIt> {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });
  md.validateLink = (url: string) => SAFE_LINK.test(url.trim());
  const defaultOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
    tokens[idx].attrSet('target', '_blank');
    return defaultOpen(tokens, idx, options, env, self);
  };
  // Images would fetch other sites from an agent's browser (and the CSP refuses them): their text only.
  md.disable('image');
  return md;
}

const renderer = createRenderer();

/** The body as HTML that is safe to put in a page as it is. */
export function renderMarkdown(body: string): string {
  return renderer.render(body);
}
