import { randomBytes } from 'node:crypto';
import type { IntegrationInfo } from './integrations';

/**
 * The hosted Link pages: server-rendered HTML, no external assets (inline CSS with a nonce, no
 * CDN, no web fonts), real links and buttons, visible focus, one <h1> per page, lang set.
 * Served with a strict Content-Security-Policy and Referrer-Policy: no-referrer, so the link token
 * in the page URL never leaks to the vendor through Referer.
 */

export interface RenderedPage {
  html: string;
  headers: Record<string, string>;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
:root{color-scheme:light dark;--fg:#111827;--muted:#4b5563;--bg:#f3f4f6;--card:#fff;--line:#d1d5db;--accent:#1d4ed8;--focus:#f59e0b}
@media (prefers-color-scheme:dark){:root{--fg:#f9fafb;--muted:#d1d5db;--bg:#111827;--card:#1f2937;--line:#374151;--accent:#93c5fd}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:28rem;margin:3rem auto;padding:2rem;background:var(--card);border:1px solid var(--line);border-radius:12px}
h1{font-size:1.35rem;margin:0 0 .25rem}p{margin:.5rem 0;color:var(--muted)}
ul{list-style:none;padding:0;margin:1.25rem 0 0;display:grid;gap:.75rem}
.vendor{display:flex;align-items:center;gap:.75rem;width:100%;padding:.75rem 1rem;border:1px solid var(--line);border-radius:10px;color:var(--fg);background:transparent;text-decoration:none;font:inherit;font-weight:600;cursor:pointer}
.vendor:hover{border-color:var(--accent)}
a:focus-visible,button:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.logo{width:2rem;height:2rem;border-radius:8px;display:inline-flex;align-items:center;justify-content:center;color:#fff;font-weight:700}
.badge{margin-left:auto;font-size:.75rem;font-weight:700;padding:.1rem .5rem;border-radius:999px;background:#fef3c7;color:#92400e;border:1px solid #f59e0b}
.sub{font-weight:400;font-size:.875rem;color:var(--muted)}
.actions{margin-top:1.5rem;display:flex;gap:.75rem;flex-wrap:wrap}
.button{display:inline-block;padding:.6rem 1rem;border-radius:8px;background:var(--accent);color:#fff;text-decoration:none;font-weight:600;border:0;font:inherit;cursor:pointer}
.button.secondary{background:transparent;color:var(--accent);border:1px solid var(--line)}
.ok{color:#047857}.err{color:#b91c1c}
footer{margin-top:1.5rem;font-size:.8rem;color:var(--muted)}
`;

function page(title: string, body: string, script?: string): RenderedPage {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style nonce="${nonce}">${CSS}</style>
</head>
<body>
<main>
${body}
<footer>Secured by Switchboard. Your CRM password is never shared with the application.</footer>
</main>
${script ? `<script nonce="${nonce}">${script}</script>` : ''}
</body>
</html>`;
  return {
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
    },
  };
}

export interface PickerOption {
  info: IntegrationInfo;
  /** /link/start?... */
  href: string;
  /** Login-host choice label (e.g. "Sandbox org"), when the vendor offers several. */
  variant?: string;
}

export function pickerPage(input: { endUserOrganizationName: string; options: PickerOption[] }): RenderedPage {
  const items = input.options
    .map(
      (o, i) => `<li><a class="vendor" id="vendor-${esc(o.info.slug)}${o.variant ? `-${i}` : ''}" data-integration="${esc(o.info.slug)}" href="${esc(o.href)}">
<span class="logo" aria-hidden="true" style="background:${esc(o.info.color)}">${esc(o.info.name.charAt(0))}</span>
<span>${esc(o.info.name.replace(/ \(sandbox\)$/, ''))}${o.variant ? ` <span class="sub">${esc(o.variant)}</span>` : ''}</span>
${o.info.is_sandbox ? '<span class="badge">Sandbox</span>' : ''}</a></li>`,
    )
    .join('\n');
  const body = `<h1>Link your CRM</h1>
<p>Connect the CRM of <strong>${esc(input.endUserOrganizationName)}</strong>. You will sign in at your CRM and approve access.</p>
${input.options.length ? `<nav aria-label="CRM choices"><ul>${items}</ul></nav>` : '<p class="err" role="alert">No CRM can be linked right now. Please contact the application.</p>'}`;
  // style attributes are blocked by the CSP: paint the logos through a nonce'd script-free approach.
  return withLogoStyles(page('Link your CRM', body), input.options);
}

/** Inline style attributes are not allowed by the CSP: move logo colours into the nonce'd <style>. */
function withLogoStyles(p: RenderedPage, options: PickerOption[]): RenderedPage {
  const rules = options.map((o) => `.vendor[data-integration="${o.info.slug.replace(/[^a-z0-9_-]/gi, '')}"] .logo{background:${/^#[0-9a-fA-F]{6}$/.test(o.info.color) ? o.info.color : '#374151'}}`).join('');
  const html = p.html.replace(/ style="background:[^"]*"/g, '').replace('</style>', `${rules}</style>`);
  return { ...p, html };
}

export function errorPage(input: { title: string; message: string; retryUrl?: string; returnUrl?: string }): RenderedPage {
  const body = `<h1 class="err">${esc(input.title)}</h1>
<p role="alert">${esc(input.message)}</p>
<div class="actions">
${input.retryUrl ? `<a class="button" id="retry" href="${esc(input.retryUrl)}">Try again</a>` : ''}
${input.returnUrl ? `<a class="button secondary" id="return" href="${esc(input.returnUrl)}">Back to the application</a>` : ''}
</div>`;
  return page(input.title, body);
}

/**
 * Success. Popup mode: hands the public token to the opener with postMessage, restricted to the
 * allowlisted origin, then closes. Without an opener the page says so (and shows no token).
 */
export function successPage(input: { integration: IntegrationInfo; endUserOrganizationName: string; popupOrigin?: string; publicToken?: string }): RenderedPage {
  const body = `<h1 class="ok">Your CRM is linked</h1>
<p>${esc(input.integration.name)} is now connected for <strong>${esc(input.endUserOrganizationName)}</strong>.</p>
<p id="status" role="status">${input.popupOrigin ? 'Returning to the application…' : 'You can close this window.'}</p>
${input.popupOrigin ? '<div class="actions"><button class="button" id="close" type="button">Close this window</button></div>' : ''}`;
  const script = input.popupOrigin && input.publicToken
    ? `(function(){var msg={type:"switchboard-link",event:"success",public_token:${JSON.stringify(input.publicToken)},integration:${JSON.stringify({ slug: input.integration.slug, name: input.integration.name })}};
var target=${JSON.stringify(input.popupOrigin)};var status=document.getElementById("status");
document.getElementById("close").addEventListener("click",function(){window.close();});
if(window.opener&&!window.opener.closed){window.opener.postMessage(msg,target);setTimeout(function(){window.close();},300);}
else{status.textContent="Linked. Return to the application window; you can close this one.";}})();`
    : undefined;
  return page('CRM linked', body, script);
}

/** Popup mode error: tells the opener (allowlisted origin only) so the application can react. */
export function popupErrorScript(origin: string, kind: string): string {
  return `if(window.opener&&!window.opener.closed){window.opener.postMessage({type:"switchboard-link",event:"error",error:${JSON.stringify(kind)}},${JSON.stringify(origin)});}`;
}
