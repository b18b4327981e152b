/*
 * Switchboard guest chat widget.
 *
 *   <script src="https://HOST/widget.js" data-queue="ill" async></script>
 *   <script src="https://HOST/widget.js" data-queues="ill,general" async></script>   (custom rollover)
 *
 * Widget mode: adds <div id="switchboard-widget"> with an open shadow root (launcher + panel).
 * Page mode: when the document has <main id="switchboard-chatbox">, the chat box is built inside
 * it, in the plain document, open at once (the /chat/{queue} page uses this).
 *
 * Every piece of text that comes from people or the server is set with textContent.
 * The one global is window.Switchboard ({open, close}).
 */
(() => {
  'use strict';

  const WIDGET_ID = 'switchboard-widget';
  const PAGE_ID = 'switchboard-chatbox';
  const RECONNECT_FIRST_MS = 500;
  const RECONNECT_MAX_MS = 10000;
  const TYPING_REPEAT_MS = 2000;
  const TYPING_IDLE_MS = 3000;
  const TYPING_SHOWN_MAX_MS = 10000;
  const CLOSE_FALLBACK_MS = 3000;
  const MAX_TEXT = 4096;
  const MAX_PAGE = 2048;
  const DEFAULT_ACCENT = '#1d4e89';

  const LOADED = Symbol.for('switchboard.widget');
  if (window[LOADED]) {
    return; // the snippet was pasted twice
  }
  window[LOADED] = true;

  const script = document.currentScript
    || [...document.querySelectorAll('script[src]')].find((s) => /\/widget\.js(?:[?#]|$)/.test(s.src));
  if (!script) {
    return;
  }
  // Everything is relative to where widget.js came from, so a server behind a path prefix works too.
  const base = new URL('.', script.src);

  // ------------------------------------------------------------------ words (issue 16)

  /** The messages of the chat's language (webroot/i18n/widget.LANG.json), loaded before anything shows. */
  let MESSAGES = {};

  /** A message with its {placeholders} filled in; the key itself when a file lacks it (never a crash). */
  function t(key, vars) {
    const text = typeof MESSAGES[key] === 'string' ? MESSAGES[key] : key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (vars && vars[name] != null ? String(vars[name]) : whole));
  }

  /** The language's file, else English's; answers the language used. */
  async function loadMessages(language) {
    for (const lang of [...new Set([language, 'en'])]) {
      if (!/^[a-z]{2}$/.test(lang || '')) continue;
      try {
        const response = await fetch(new URL(`i18n/widget.${lang}.json`, base), { mode: 'cors', credentials: 'omit' });
        if (response.ok) {
          MESSAGES = await response.json();
          return lang;
        }
      } catch (e) {
        // the next one
      }
    }
    return 'en';
  }

  // ------------------------------------------------------------------ small helpers

  /** Builds an element. `text` is set with textContent; other props become attributes. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (key === 'text') el.textContent = value;
      else if (key === 'class') el.className = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child != null) el.append(child);
    }
    return el;
  }

  function svgIcon(pathData) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '20');
    svg.setAttribute('height', '20');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', pathData);
    path.setAttribute('fill', 'currentColor');
    svg.append(path);
    return svg;
  }

  const ICON_CHAT = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z';
  const ICON_DOWN = 'M6.4 8.6 12 14.2l5.6-5.6L19 10l-7 7-7-7z';
  const ICON_SEND = 'M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z';

  /**
   * Chat text as DOM nodes: plain text, with http and https addresses as links (rel noopener
   * noreferrer nofollow, a new tab) and nothing else: no other markup is ever read from it.
   */
  function linkified(text) {
    const nodes = [];
    const pattern = /https?:\/\/[^\s<>"']+/gi;
    let last = 0;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      let candidate = match[0];
      // a sentence's closing punctuation is not part of the address
      candidate = withoutTrailingPunctuation(candidate);
      let url = null;
      try {
        url = new URL(candidate);
      } catch (e) {
        url = null;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) continue;
      if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
      const a = document.createElement('a');
      a.href = url.href;
      a.textContent = candidate;
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow';
      nodes.push(a);
      last = match.index + candidate.length;
      pattern.lastIndex = last;
    }
    if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
    return nodes;
  }

  /** A sentence's closing punctuation is not part of an address; a ")" is when it closes a "(" in it. */
  function withoutTrailingPunctuation(candidate) {
    let end = candidate.length;
    while (end > 0 && '.,;:!?)]'.includes(candidate[end - 1])) {
      if (candidate[end - 1] === ')') {
        const part = candidate.slice(0, end);
        if ((part.match(/\(/g) || []).length >= (part.match(/\)/g) || []).length) break;
      }
      end -= 1;
    }
    return candidate.slice(0, end);
  }

  function randomId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function api(path, options) {
    const response = await fetch(new URL(path, base), {
      mode: 'cors', credentials: 'omit', cache: 'no-store', ...options,
    });
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    return { status: response.status, ok: response.ok, body };
  }

  function clockTime(iso) {
    const d = iso ? new Date(iso) : new Date();
    return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function openingText(iso) {
    const d = new Date(iso);
    if (!iso || Number.isNaN(d.getTime())) return null;
    const time = d.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
    const day = (offset) => {
      const x = new Date();
      x.setDate(x.getDate() + offset);
      return x.toDateString();
    };
    if (d.toDateString() === day(0)) return t('backToday', { time });
    if (d.toDateString() === day(1)) return t('backTomorrow', { time });
    const when = d.toLocaleString([], { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' });
    return t('backOn', { when });
  }

  function waitText(position, seconds) {
    const place = position <= 1 ? t('line.next') : t('line.number', { position });
    if (seconds == null || !Number.isFinite(seconds)) return place;
    return t('line.withWait', { place, minutes: Math.max(1, Math.round(seconds / 60)) });
  }

  /** sessionStorage may be blocked (privacy modes, sandboxed frames): then a chat just does not survive a reload. */
  const store = {
    key: `switchboard:chat:${base.href}`,
    load() {
      try {
        const saved = JSON.parse(sessionStorage.getItem(this.key));
        return saved && saved.chatId && saved.token ? saved : null;
      } catch (e) {
        return null;
      }
    },
    save(chat) {
      try {
        sessionStorage.setItem(this.key, JSON.stringify({
          chatId: chat.chatId, token: chat.token, lastSeq: chat.lastSeq, queue: chat.queue,
          unacked: chat.unacked, operator: chat.operator, name: chat.name,
        }));
      } catch (e) { /* storage full or blocked */ }
    },
    clear() {
      try {
        sessionStorage.removeItem(this.key);
      } catch (e) { /* blocked */ }
    },
  };

  // ------------------------------------------------------------------ styles

  const STYLES = `
:host { all: initial; }
.sb, .sb * { box-sizing: border-box; }
.sb {
  --sb-accent: ${DEFAULT_ACCENT};
  --sb-on-accent: #ffffff;
  --sb-focus: #0b57d0;
  --sb-text: #1b1f24;
  --sb-muted: #4d5661;
  --sb-line: #d5dae0;
  --sb-soft: #f3f5f8;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--sb-text);
  text-align: left;
}
.sb [hidden] { display: none !important; }
/* no specificity, so each control's own class sets its colours */
:where(.sb) :where(button, input, textarea) { font: inherit; color: inherit; }
:where(.sb) :focus { outline: none; }
.sb :focus-visible { outline: 3px solid var(--sb-focus); outline-offset: 2px; }
.sb-visually-hidden {
  position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
.sb-launcher {
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  display: inline-flex; align-items: center; gap: 8px;
  min-height: 48px; padding: 12px 20px 12px 16px; border: 2px solid transparent; border-radius: 999px;
  background: var(--sb-accent); color: var(--sb-on-accent);
  font-weight: 600; cursor: pointer; box-shadow: 0 4px 14px rgba(0, 0, 0, .25);
}
.sb-launcher:hover { filter: brightness(1.08); }
.sb-launcher:focus-visible { outline-color: var(--sb-focus); border-color: #ffffff; }
.sb-dot { width: 10px; height: 10px; border-radius: 50%; background: #9aa3ad; border: 2px solid var(--sb-on-accent); }
.sb-dot[data-on="true"] { background: #2fbf71; }
.sb-badge {
  min-width: 22px; padding: 0 6px; border-radius: 11px; background: #c62828; color: #fff;
  font-size: 13px; line-height: 22px; text-align: center;
}
.sb-panel {
  position: fixed; right: 20px; bottom: 84px; z-index: 2147483000;
  width: 360px; max-width: calc(100vw - 24px);
  height: 560px; max-height: calc(100vh - 104px);
  display: flex; flex-direction: column; overflow: hidden;
  background: #ffffff; border: 1px solid var(--sb-line); border-radius: 14px;
  box-shadow: 0 12px 40px rgba(0, 0, 0, .22);
}
.sb-header {
  display: flex; align-items: center; gap: 8px; padding: 12px 10px 12px 16px;
  background: var(--sb-accent); color: var(--sb-on-accent);
}
.sb-title { flex: 1; margin: 0; font-size: 16px; font-weight: 650; line-height: 1.3; }
.sb-icon-btn {
  display: inline-flex; align-items: center; justify-content: center; width: 36px; height: 36px;
  border: 0; border-radius: 8px; background: transparent; color: inherit; cursor: pointer;
}
.sb-icon-btn:hover { background: rgba(255, 255, 255, .18); }
.sb-header :focus-visible { outline-color: var(--sb-on-accent); outline-offset: -3px; }
.sb-status {
  margin: 0; padding: 8px 16px; min-height: 37px; font-size: 14px; color: var(--sb-muted);
  background: var(--sb-soft); border-bottom: 1px solid var(--sb-line);
}
.sb-alert { margin: 0; padding: 8px 16px; font-size: 14px; background: #fff4e5; color: #6b3a00; border-bottom: 1px solid #f0c58a; }
.sb-body { flex: 1; min-height: 0; overflow-y: auto; display: flex; flex-direction: column; }
.sb-notice { padding: 20px 16px; }
.sb-notice p { margin: 0 0 12px; }
.sb-log { flex: 1; display: flex; flex-direction: column; gap: 10px; padding: 14px 14px 8px; }
.sb-log:focus-visible { outline-offset: -3px; }
.sb-greeting { margin: 0; padding: 10px 12px; border-radius: 10px; background: var(--sb-soft); }
.sb-row { display: flex; flex-direction: column; max-width: 85%; }
.sb-row--guest { align-self: flex-end; align-items: flex-end; }
.sb-row--operator { align-self: flex-start; align-items: flex-start; }
.sb-row--system, .sb-note { align-self: center; max-width: 92%; text-align: center; }
.sb-meta { font-size: 12px; color: var(--sb-muted); margin: 0 4px 2px; }
.sb-bubble {
  padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word;
}
.sb-row--guest .sb-bubble { background: var(--sb-accent); color: var(--sb-on-accent); border-bottom-right-radius: 4px; }
.sb-row--operator .sb-bubble { background: #e9edf2; color: var(--sb-text); border-bottom-left-radius: 4px; }
.sb-row--system .sb-bubble {
  background: #fffbe8; color: #4a3b00; border: 1px solid #e8d48a; border-radius: 8px; font-size: 14px;
}
.sb-row--pending .sb-bubble { opacity: .72; }
.sb-row--failed .sb-bubble { opacity: 1; outline: 2px solid #c62828; }
.sb-note { margin: 0; font-size: 13px; color: var(--sb-muted); }
.sb-offline { display: flex; flex-direction: column; gap: 12px; padding: 16px; }
.sb-offline p { margin: 0; }
.sb-field { display: flex; flex-direction: column; gap: 4px; }
.sb-field label { font-size: 14px; font-weight: 600; }
.sb-optional { font-weight: 400; color: var(--sb-muted); }
.sb-input {
  width: 100%; padding: 8px 10px; border: 1px solid #8a94a3; border-radius: 8px; background: #fff;
}
.sb-input[aria-invalid="true"] { border-color: #c62828; border-width: 2px; }
.sb-error { color: #b3261e; font-size: 14px; }
.sb-rating { border-top: 1px solid var(--sb-line); padding-top: 8px; }
.sb-rating-fields { display: flex; flex-direction: column; gap: 6px; }
.sb-rating-scale { border: 0; margin: 0; padding: 0; }
.sb-rating-scale legend { font-size: 14px; font-weight: 600; padding: 0; margin-bottom: 4px; }
.sb-rating-choices { display: flex; gap: 6px; }
.sb-rating-choice {
  display: inline-flex; align-items: center; gap: 4px; padding: 6px 10px; border: 1px solid #8a94a3;
  border-radius: 8px; cursor: pointer; font-size: 14px;
}
.sb-rating-choice:has(input:checked) { background: var(--sb-accent); color: var(--sb-on-accent); border-color: var(--sb-accent); }
.sb-available-now { padding: 10px 12px; border-radius: 8px; background: #e8f5e9; border: 1px solid #7cb342; }
.sb-available-now p { margin: 0 0 8px; }
.sb-form-error { margin: 0; color: #b3261e; font-size: 14px; font-weight: 600; }
.sb-question-label { font-size: 14px; font-weight: 600; }
.sb-bubble a { color: inherit; text-decoration: underline; }
.sb-primary {
  align-self: flex-start; padding: 9px 18px; border: 0; border-radius: 8px;
  background: var(--sb-accent); color: var(--sb-on-accent); font-weight: 600; cursor: pointer;
}
.sb-primary:disabled { opacity: .6; cursor: default; }
.sb-secondary {
  padding: 6px 12px; border: 1px solid #8a94a3; border-radius: 8px; background: #fff; cursor: pointer; font-size: 14px;
}
.sb-thanks { padding: 24px 16px; }
.sb-thanks h3 { margin: 0 0 6px; font-size: 17px; }
.sb-thanks p { margin: 0; }
.sb-composer { border-top: 1px solid var(--sb-line); padding: 10px 12px 10px; display: flex; flex-direction: column; gap: 8px; background: #fff; }
.sb-compose-row { display: flex; align-items: flex-end; gap: 8px; }
.sb-compose-row textarea { flex: 1; resize: none; min-height: 42px; max-height: 140px; line-height: 1.4; }
.sb-send {
  display: inline-flex; align-items: center; gap: 6px; height: 42px; padding: 0 14px; border: 0; border-radius: 8px;
  background: var(--sb-accent); color: var(--sb-on-accent); font-weight: 600; cursor: pointer;
}
.sb-send:disabled { opacity: .55; cursor: default; }
.sb-foot { display: flex; align-items: center; justify-content: space-between; gap: 8px; font-size: 12px; color: var(--sb-muted); }
.sb-email .sb-compose-row input { flex: 1; }
.sb-email .sb-note { align-self: flex-start; text-align: left; }
.sb[data-mode="widget"] .sb-panel:not([hidden]) { animation: sb-in .16s ease-out; }
@keyframes sb-in { from { opacity: 0; transform: translateY(8px); } to { opacity: 1; transform: none; } }
@media (prefers-reduced-motion: reduce) { .sb-panel { animation: none !important; } }
@media (max-width: 480px) {
  .sb[data-mode="widget"] .sb-panel {
    right: 0; bottom: 0; left: 0; top: 0; width: auto; max-width: none; height: auto; max-height: none;
    border-radius: 0; border: 0;
  }
  .sb[data-mode="widget"] .sb-launcher[aria-expanded="true"] { display: none; }
}
/* phones zoom into a field whose text is under 16 px: keep them at 16 */
@media (max-width: 600px) { .sb-input, .sb-compose-row textarea { font-size: 16px; } }
/* only a chat needs the full height; notices and forms take what they need */
.sb[data-mode="widget"] .sb-panel:not([data-view="ready"]):not([data-view="chat"]) { height: auto; min-height: 220px; }
/* page mode: the chat box fills its container */
.sb[data-mode="page"] { height: 100%; }
.sb[data-mode="page"] .sb-panel {
  position: static; width: 100%; max-width: none; height: 100%; max-height: none; box-shadow: none;
}
@media (forced-colors: active) {
  .sb-launcher, .sb-bubble, .sb-panel, .sb-send, .sb-primary { border: 1px solid CanvasText; }
}
`;

  function installStyles(target) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(target instanceof ShadowRoot ? STYLES : STYLES.replace(':host { all: initial; }', ''));
      target.adoptedStyleSheets = [...target.adoptedStyleSheets, sheet];
    } catch (e) {
      const style = document.createElement('style');
      style.textContent = STYLES;
      (target instanceof ShadowRoot ? target : document.head).append(style);
    }
  }

  // ------------------------------------------------------------------ the chat box

  class ChatBox {
    constructor(options) {
      this.mode = options.mode; // 'widget' | 'page'
      this.askQueue = options.queue; // simple rollover: the queue asked for
      this.queueList = options.queues; // custom rollover: the list, in order
      this.queueInfo = new Map(); // name -> {title, skin}
      this.view = 'loading';
      this.chat = null; // {chatId, token, queue, lastSeq, unacked:[{clientId,text}], operator, name}
      this.rows = new Map(); // seq -> row element
      this.pendingRows = new Map(); // clientId -> row element
      this.adopted = new Map(); // clientId -> seq of the replayed message its pending row became
      this.ws = null;
      this.live = false; // started/resumed on the current socket: messages may flow
      this.ended = false;
      this.reconnectDelay = RECONNECT_FIRST_MS;
      this.reconnectTimer = null;
      this.holdUntil = 0;
      this.typingSentAt = 0;
      this.typingIdleTimer = null;
      this.typingShownTimer = null;
      this.unread = 0;
      this.isOpen = false;
      this.nextOpening = null;
      this.queuesLoaded = null;
      // while the leave-a-message form shows, who is available is asked again this often
      this.recheckMs = Math.max(2, Number(options.recheckSeconds) || 30) * 1000;
      this.recheckTimer = null;
    }

    // ---------------------------------------------------------------- DOM

    build(container) {
      const ids = (name) => `sb-${name}`;
      this.title = h('h2', { class: 'sb-title', id: ids('title'), 'data-sb': 'title', tabindex: '-1', text: t('title') });
      this.minimise = h('button', {
        type: 'button', class: 'sb-icon-btn', 'data-sb': 'close', 'aria-label': t('minimise'),
        onclick: () => this.close(),
      }, svgIcon(ICON_DOWN));
      this.status = h('p', { class: 'sb-status', 'data-sb': 'status', role: 'status' });
      this.alertLine = h('p', { class: 'sb-alert', 'data-sb': 'alert', role: 'alert', hidden: true });

      this.noticeText = h('p');
      this.retry = h('button', {
        type: 'button', class: 'sb-secondary', 'data-sb': 'retry', hidden: true, text: t('retry'),
        onclick: () => this.checkPresence(),
      });
      this.notice = h('div', { class: 'sb-notice', 'data-sb': 'notice', hidden: true }, this.noticeText, this.retry);

      this.greeting = h('p', { class: 'sb-greeting', 'data-sb': 'greeting', hidden: true });
      this.log = h('div', {
        class: 'sb-log', role: 'log', 'aria-live': 'polite', 'aria-label': t('log'), 'data-sb': 'log',
      }, this.greeting);

      this.offlineForm = this.buildOfflineForm(ids);
      this.thanks = h('div', { class: 'sb-thanks', 'data-sb': 'offline-thanks', tabindex: '-1', hidden: true },
        h('h3', { text: t('thanks.title') }),
        h('p', { text: t('thanks.text') }));

      this.body = h('div', { class: 'sb-body' }, this.notice, this.log, this.offlineForm, this.thanks);

      this.nameInput = h('input', {
        id: ids('name'), class: 'sb-input', 'data-sb': 'name', type: 'text', autocomplete: 'name', maxlength: '80',
      });
      this.nameOptional = h('span', { class: 'sb-optional', text: t('optional') });
      this.nameField = h('div', { class: 'sb-field' },
        h('label', { for: ids('name') }, `${t('name')} `, this.nameOptional),
        this.nameInput);
      this.guestEmailInput = h('input', {
        id: ids('email'), class: 'sb-input', 'data-sb': 'email', type: 'email', autocomplete: 'email', maxlength: '254',
      });
      this.emailOptional = h('span', { class: 'sb-optional', text: t('optional') });
      this.emailField = h('div', { class: 'sb-field', hidden: true },
        h('label', { for: ids('email') }, `${t('email')} `, this.emailOptional),
        this.guestEmailInput);
      this.formError = h('p', { class: 'sb-form-error', id: ids('form-error'), 'data-sb': 'form-error', hidden: true });
      this.input = h('textarea', {
        id: ids('input'), class: 'sb-input', 'data-sb': 'input', rows: '1', maxlength: String(MAX_TEXT),
        placeholder: t('placeholder'), 'aria-describedby': ids('hint'),
        onkeydown: (e) => this.onInputKey(e), oninput: () => this.onInput(),
      });
      this.sendButton = h('button', { type: 'submit', class: 'sb-send', 'data-sb': 'send' },
        svgIcon(ICON_SEND), h('span', { text: t('send') }));
      this.endButton = h('button', {
        type: 'button', class: 'sb-secondary', 'data-sb': 'end', hidden: true, text: t('end'),
        onclick: () => this.endByGuest(),
      });
      this.restartButton = h('button', {
        type: 'button', class: 'sb-secondary', 'data-sb': 'restart', hidden: true, text: t('restart'),
        onclick: () => this.restart(),
      });
      this.hint = h('span', { id: ids('hint'), text: t('hint') });
      this.emailBox = this.buildEmailBox(ids);
      this.ratingBox = this.buildRatingBox(ids);
      this.composer = h('form', {
        class: 'sb-composer', 'data-sb': 'composer', hidden: true, novalidate: true,
        onsubmit: (e) => { e.preventDefault(); this.send(); },
      },
      this.nameField,
      this.emailField,
      this.formError,
      this.inputLabel = h('label', { for: ids('input'), class: 'sb-visually-hidden', text: t('message') }),
      h('div', { class: 'sb-compose-row' }, this.input, this.sendButton),
      this.ratingBox,
      this.emailBox,
      h('div', { class: 'sb-foot' }, this.hint, this.endButton, this.restartButton));

      this.panel = h('section', {
        class: 'sb-panel', id: ids('panel'), role: this.mode === 'widget' ? 'dialog' : 'region',
        'aria-labelledby': ids('title'), hidden: this.mode === 'widget',
        onkeydown: (e) => {
          if (e.key === 'Escape' && this.mode === 'widget') {
            e.stopPropagation();
            this.close();
          }
        },
      },
      h('header', { class: 'sb-header' }, this.title, this.mode === 'widget' ? this.minimise : null),
      this.status, this.alertLine, this.body, this.composer);

      this.root = h('div', { class: 'sb', 'data-mode': this.mode, lang: this.lang || 'en' });
      if (this.mode === 'widget') {
        this.dot = h('span', { class: 'sb-dot', 'aria-hidden': 'true' });
        this.launcherLabel = h('span', { text: t('title') });
        this.launcherIcon = svgIcon(ICON_CHAT);
        this.launcherIconOpen = svgIcon(ICON_DOWN);
        this.launcherIconOpen.style.display = 'none';
        this.badge = h('span', { class: 'sb-badge', hidden: true });
        this.launcher = h('button', {
          type: 'button', class: 'sb-launcher', 'data-sb': 'open', 'aria-expanded': 'false',
          'aria-controls': ids('panel'), onclick: () => (this.isOpen ? this.close() : this.open()),
        }, this.launcherIcon, this.launcherIconOpen, this.launcherLabel, this.dot, this.badge);
        this.root.append(this.panel, this.launcher);
      } else {
        this.root.append(this.panel);
      }
      container.append(this.root);
    }

    buildOfflineForm(ids) {
      const field = (key, label, input, optional) => h('div', { class: 'sb-field' },
        h('label', { for: ids(key) }, label, optional ? h('span', { class: 'sb-optional', text: ` ${t('optional')}` }) : null),
        input);
      this.offlineName = h('input', {
        id: ids('offline-name'), class: 'sb-input', 'data-sb': 'offline-name', type: 'text', autocomplete: 'name', maxlength: '80',
      });
      this.offlineEmail = h('input', {
        id: ids('offline-email'), class: 'sb-input', 'data-sb': 'offline-email', type: 'email', autocomplete: 'email',
        maxlength: '254', 'aria-required': 'true',
      });
      this.offlineQuestion = h('textarea', {
        id: ids('offline-question'), class: 'sb-input', 'data-sb': 'offline-question', rows: '4',
        maxlength: String(MAX_TEXT), 'aria-required': 'true',
      });
      this.offlineIntro = h('p', { 'data-sb': 'offline-intro' });
      this.offlineNext = h('p', { 'data-sb': 'offline-next', hidden: true });
      this.offlineError = h('p', { class: 'sb-error', 'data-sb': 'offline-error', role: 'alert', hidden: true });
      this.offlineSubmit = h('button', { type: 'submit', class: 'sb-primary', 'data-sb': 'offline-submit', text: t('offline.send') });
      this.chatNowButton = h('button', {
        type: 'button', class: 'sb-primary', 'data-sb': 'offline-chat-now', text: t('offline.chatNow'),
        onclick: () => this.chatNow(),
      });
      this.availableNow = h('div', { class: 'sb-available-now', 'data-sb': 'offline-available', role: 'status', hidden: true },
        h('p', { text: t('offline.availableNow') }), this.chatNowButton);
      return h('form', {
        class: 'sb-offline', 'data-sb': 'offline-form', hidden: true, novalidate: true,
        onsubmit: (e) => { e.preventDefault(); this.submitOffline(); },
      },
      this.availableNow, this.offlineIntro, this.offlineNext,
      field('offline-name', t('name'), this.offlineName, true),
      field('offline-email', t('offline.email'), this.offlineEmail, false),
      field('offline-question', t('question'), this.offlineQuestion, false),
      this.offlineError, this.offlineSubmit);
    }

    /** Shows one of: loading, unset, error, offline, thanks, ready, chat. */
    setView(view) {
      this.view = view;
      this.panel.dataset.view = view;
      if (view !== 'offline') this.stopRecheck();
      const chatting = view === 'ready' || view === 'chat';
      this.notice.hidden = !(view === 'unset' || view === 'error' || view === 'loading');
      this.retry.hidden = view !== 'error';
      this.log.hidden = !chatting;
      this.offlineForm.hidden = view !== 'offline';
      this.thanks.hidden = view !== 'thanks';
      this.composer.hidden = !chatting;
      const form = this.form();
      this.nameField.hidden = view !== 'ready' || form.name === 'off';
      this.emailField.hidden = view !== 'ready' || form.email === 'off';
      this.nameOptional.hidden = form.name === 'required';
      this.emailOptional.hidden = form.email === 'required';
      this.nameInput.required = form.name === 'required';
      this.guestEmailInput.required = form.email === 'required';
      if (view !== 'ready') this.showFormError(null);
      // a queue that requires the question says so; otherwise the first message is the question
      const asksQuestion = view === 'ready' && form.question === 'required';
      this.inputLabel.className = asksQuestion ? 'sb-question-label' : 'sb-visually-hidden';
      this.inputLabel.textContent = asksQuestion ? t('question') : t('message');
      if (this.dot) this.dot.dataset.on = String(chatting);
      if (view === 'loading') this.setNotice('');
    }

    /** What the chat's queue asks before it starts (name, email, question: off, optional or required). */
    form() {
      const info = this.queueInfo.get(this.chatQueue) || {};
      const form = info.form && typeof info.form === 'object' ? info.form : {};
      const ask = (v, d) => (v === 'off' || v === 'optional' || v === 'required' ? v : d);
      return { name: ask(form.name, 'optional'), email: ask(form.email, 'off'), question: ask(form.question, 'optional') };
    }

    /** Shows what is missing next to the form and marks the field, or clears it (null). */
    showFormError(text, field) {
      for (const input of [this.nameInput, this.guestEmailInput, this.input]) {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
      this.input.setAttribute('aria-describedby', 'sb-hint');
      this.formError.textContent = text || '';
      this.formError.hidden = !text;
      if (text && field) {
        field.setAttribute('aria-invalid', 'true');
        field.setAttribute('aria-describedby', this.formError.id);
        field.focus();
      }
    }

    /** Before the first message: what the queue requires is there (true), or the guest is told what is missing. */
    checkForm() {
      const form = this.form();
      const name = this.nameInput.value.trim();
      const email = this.guestEmailInput.value.trim();
      if (form.name === 'required' && !name) {
        this.showFormError(t('form.needName'), this.nameInput);
        return false;
      }
      if (form.email !== 'off' && email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        this.showFormError(t('form.badEmail'), this.guestEmailInput);
        return false;
      }
      if (form.email === 'required' && !email) {
        this.showFormError(t('form.needEmail'), this.guestEmailInput);
        return false;
      }
      this.showFormError(null);
      return true;
    }

    setNotice(text) {
      this.noticeText.textContent = text;
    }

    setStatus(text) {
      this.status.textContent = text;
    }

    showAlert(text) {
      this.alertLine.textContent = text || '';
      this.alertLine.hidden = !text;
    }

    // ---------------------------------------------------------------- open / close

    /** Opens the panel; `takeFocus` false leaves the focus where it is (a reload must not pull it away). */
    open(takeFocus = true) {
      if (this.mode !== 'widget') return;
      if (!this.isOpen) {
        this.isOpen = true;
        this.panel.hidden = false;
        this.launcher.setAttribute('aria-expanded', 'true');
        this.launcherLabel.textContent = t('hide');
        this.launcherIcon.style.display = 'none';
        this.launcherIconOpen.style.display = '';
        this.unread = 0;
        this.badge.hidden = true;
        if (!this.chat && this.canRecheck()) this.checkPresence(true);
      }
      if (takeFocus) this.focusInside();
      this.scrollToEnd();
    }

    close() {
      if (this.mode !== 'widget' || !this.isOpen) return;
      const hadFocus = this.root.getRootNode().activeElement;
      this.isOpen = false;
      this.panel.hidden = true;
      this.launcher.setAttribute('aria-expanded', 'false');
      this.launcherLabel.textContent = t('title');
      this.launcherIcon.style.display = '';
      this.launcherIconOpen.style.display = 'none';
      if (hadFocus && hadFocus !== this.launcher) this.launcher.focus();
    }

    focusInside() {
      const target = {
        ready: this.nameInput.value || this.log.querySelector('[data-sb=message]') ? this.input : this.nameInput,
        chat: this.input.disabled ? this.restartButton : this.input,
        offline: this.offlineName,
        thanks: this.thanks,
        error: this.retry,
      }[this.view] || this.title;
      target.focus({ preventScroll: true });
    }

    canRecheck() {
      if (this.view === 'error') return true;
      if (this.view === 'ready') return !this.input.value;
      if (this.view === 'offline') return !this.offlineEmail.value && !this.offlineQuestion.value;
      return false;
    }

    // ---------------------------------------------------------------- start-up and presence

    /** The queue list (the chat's language and look), then the language's words: before anything shows. */
    prepare() {
      this.queuesLoaded = this.loadQueues();
      return this.queuesLoaded.then(() => {
        const saved = store.load();
        const queue = (saved && saved.queue) || this.askQueue || (this.queueList && this.queueList[0]);
        const info = this.queueInfo.get(queue) || {};
        return loadMessages(typeof info.language === 'string' ? info.language : 'en');
      }).then((lang) => {
        this.lang = lang;
      });
    }

    /** A queue's own text for this place (its skin's), or null. */
    queueText(name) {
      const info = this.queueInfo.get(this.chatQueue) || {};
      const skin = info.skin && typeof info.skin === 'object' ? info.skin : {};
      return typeof skin[name] === 'string' && skin[name].trim() ? skin[name] : null;
    }

    start() {
      const saved = store.load();
      if (saved) {
        this.resumeSaved(saved);
      } else {
        this.checkPresence();
      }
      if (this.mode === 'page') this.focusInside();
    }

    async loadQueues() {
      try {
        const r = await api('api/v1/queues');
        if (r.ok && Array.isArray(r.body)) {
          for (const q of r.body) {
            if (q && typeof q.name === 'string') this.queueInfo.set(q.name, q);
          }
          return true;
        }
      } catch (e) { /* the look is optional */ }
      return false;
    }

    /** Asks who is available; `quiet` keeps the current view on screen while asking again. */
    async checkPresence(quiet) {
      const askedFor = this.queueList || (this.askQueue ? [this.askQueue] : []);
      if (askedFor.length === 0) {
        this.notSetUp();
        return;
      }
      if (!quiet) {
        this.setView('loading');
        this.setStatus(t('status.checking'));
      }
      let available = false;
      let chatQueue = askedFor[0];
      let unknown = false;
      let failed = false;
      this.nextOpening = null;
      try {
        const r = this.queueList
          ? await api(`api/v1/presence?queues=${this.queueList.map(encodeURIComponent).join(',')}`)
          : await api(`api/v1/presence/${encodeURIComponent(this.askQueue)}`);
        if (r.status === 404) {
          unknown = true;
        } else if (!r.ok || !r.body) {
          failed = true;
        } else if (this.queueList) {
          available = typeof r.body.firstAvailable === 'string';
          if (available) chatQueue = r.body.firstAvailable;
          this.nextOpening = r.body.nextOpening || null;
        } else {
          available = 'chainAvailable' in r.body ? r.body.chainAvailable === true : r.body.available === true;
          this.nextOpening = r.body.nextOpening || null;
        }
      } catch (e) {
        failed = true; // a network error, or an answer the browser may not show us (no CORS header)
      }
      const haveQueues = await this.queuesLoaded;
      if (haveQueues && askedFor.some((q) => !this.queueInfo.has(q))) unknown = true;
      if (unknown) {
        this.notSetUp();
        return;
      }
      if (failed) {
        this.setView('error');
        this.setStatus(t('status.unreachable'));
        this.setNotice(t('notice.unreachable'));
        return;
      }
      this.chatQueue = chatQueue;
      this.applySkin(chatQueue);
      if (available && this.view === 'offline' && this.offlineTyped()) {
        // someone came while the guest writes a message: offer the chat, keep what they wrote
        if (this.availableNow.hidden) {
          this.availableNow.hidden = false;
          this.setStatus(t('status.availableNow'));
        }
      } else if (available) {
        this.showReady();
      } else if (this.view !== 'offline') {
        this.showOffline();
      } else {
        this.availableNow.hidden = true;
      }
    }

    offlineTyped() {
      return !!(this.offlineName.value.trim() || this.offlineEmail.value.trim() || this.offlineQuestion.value.trim());
    }

    /** The leave-a-message form asks who is available every so often, while the page is seen. */
    startRecheck() {
      if (this.recheckTimer) return;
      this.recheckTimer = setInterval(() => {
        if (this.view === 'offline' && !document.hidden) this.checkPresence(true);
      }, this.recheckMs);
    }

    stopRecheck() {
      clearInterval(this.recheckTimer);
      this.recheckTimer = null;
    }

    /** From the form to the chat, with what the guest wrote: the question waits in the box to be sent. */
    chatNow() {
      const name = this.offlineName.value.trim();
      const email = this.offlineEmail.value.trim();
      const question = this.offlineQuestion.value;
      this.showReady();
      if (name && !this.nameInput.value) this.nameInput.value = name;
      if (email && !this.guestEmailInput.value) this.guestEmailInput.value = email;
      if (question && !this.input.value) {
        this.input.value = question;
        this.autosize();
      }
      this.input.focus();
    }

    notSetUp() {
      this.setView('unset');
      this.setStatus(t('status.notSetUp'));
      this.setNotice(t('notice.notSetUp'));
      console.warn('Switchboard: unknown queue', this.queueList || this.askQueue);
    }

    showReady() {
      const changed = this.view !== 'ready';
      this.setView('ready');
      this.setStatus(t('status.available'));
      this.input.disabled = false;
      this.sendButton.disabled = false;
      this.endButton.hidden = true;
      this.restartButton.hidden = true;
      if (changed && (this.isOpen || this.mode === 'page')) this.focusInside();
    }

    showOffline(prefill) {
      const changed = this.view !== 'offline';
      this.setView('offline');
      this.availableNow.hidden = true;
      this.startRecheck();
      this.setStatus(t('status.nobody'));
      this.offlineIntro.textContent = this.queueText('offlineText') || t('offline.intro');
      const next = this.nextOpening && openingText(this.nextOpening);
      this.offlineNext.textContent = next || '';
      this.offlineNext.hidden = !next;
      if (prefill && !this.offlineQuestion.value) this.offlineQuestion.value = prefill;
      if (changed && (this.isOpen || this.mode === 'page')) this.focusInside();
    }

    applySkin(queueName) {
      const info = this.queueInfo.get(queueName) || {};
      const skin = info.skin && typeof info.skin === 'object' ? info.skin : {};
      const title = typeof skin.title === 'string' && skin.title ? skin.title : info.title || t('title');
      this.title.textContent = title;
      if (this.mode === 'page') document.title = `${title} – chat`;
      const color = typeof skin.color === 'string' && CSS.supports('color', skin.color) ? skin.color : null;
      const textColor = typeof skin.textColor === 'string' && CSS.supports('color', skin.textColor) ? skin.textColor : null;
      if (color) {
        this.root.style.setProperty('--sb-accent', color);
        this.root.style.setProperty('--sb-on-accent', textColor || this.readableOn(color));
      } else if (textColor) {
        this.root.style.setProperty('--sb-on-accent', textColor);
      }
      const greeting = typeof skin.greeting === 'string' && skin.greeting.trim() ? skin.greeting : t('greeting');
      this.greeting.textContent = greeting;
      this.greeting.hidden = false;
    }

    /** Black or white, whichever reads better on the given background. */
    readableOn(color) {
      const probe = h('span');
      probe.style.color = color;
      this.root.append(probe);
      const rgb = getComputedStyle(probe).color.match(/[\d.]+/g) || ['0', '0', '0'];
      probe.remove();
      const [r, g, b] = rgb.slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      return luminance > 0.179 ? '#111111' : '#ffffff';
    }

    // ---------------------------------------------------------------- offline form

    async submitOffline() {
      const fields = [this.offlineEmail, this.offlineQuestion];
      fields.forEach((f) => f.removeAttribute('aria-invalid'));
      const email = this.offlineEmail.value.trim();
      const question = this.offlineQuestion.value.trim();
      let problem = null;
      if (!question) problem = [this.offlineQuestion, t('offline.needQuestion')];
      if (!email || !this.offlineEmail.checkValidity()) problem = [this.offlineEmail, t('offline.needEmail')];
      if (problem) {
        problem[0].setAttribute('aria-invalid', 'true');
        this.offlineErrorText(problem[1]);
        problem[0].focus();
        return;
      }
      this.offlineErrorText('');
      this.offlineSubmit.disabled = true;
      this.offlineSubmit.textContent = t('offline.sending');
      try {
        const r = await api('api/v1/offline', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            queue: this.chatQueue || (this.queueList ? this.queueList[0] : this.askQueue),
            name: this.offlineName.value.trim() || null,
            email,
            question,
            page: location.href.slice(0, MAX_PAGE),
          }),
        });
        if (r.status === 201 || r.ok) {
          this.setView('thanks');
          this.setStatus(t('offline.sent'));
          if (this.isOpen || this.mode === 'page') this.thanks.focus();
          return;
        }
        const message = r.body && typeof r.body.message === 'string' ? r.body.message : null;
        this.offlineErrorText(message ? t('offline.notSent', { reason: message }) : t('offline.failed'));
      } catch (e) {
        this.offlineErrorText(t('offline.offline'));
      } finally {
        this.offlineSubmit.disabled = false;
        this.offlineSubmit.textContent = t('offline.send');
      }
    }

    offlineErrorText(text) {
      this.offlineError.textContent = text;
      this.offlineError.hidden = !text;
    }

    // ---------------------------------------------------------------- composing

    onInputKey(e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        this.send();
      }
    }

    onInput() {
      this.autosize();
      if (!this.live || this.ended) return;
      const now = Date.now();
      if (this.input.value.trim() && now - this.typingSentAt >= TYPING_REPEAT_MS) {
        this.typingSentAt = now;
        this.sendFrame({ type: 'typing', typing: true });
      }
      clearTimeout(this.typingIdleTimer);
      this.typingIdleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
    }

    stopTyping() {
      clearTimeout(this.typingIdleTimer);
      if (this.typingSentAt) {
        this.typingSentAt = 0;
        if (this.live) this.sendFrame({ type: 'typing', typing: false });
      }
    }

    autosize() {
      this.input.style.height = 'auto';
      this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 140)}px`;
    }

    send() {
      const text = this.input.value;
      if (!text.trim() || this.ended || this.input.disabled) return;
      this.input.value = '';
      this.autosize();
      this.stopTyping();
      this.showAlert('');
      if (!this.chat && !this.checkForm()) {
        this.input.value = text;
        this.autosize();
        return;
      }
      if (!this.chat) this.beginChat();
      const message = { clientId: randomId(), text };
      this.chat.unacked.push(message);
      this.saveChat();
      this.renderPending(message);
      if (this.live) this.sendFrame({ type: 'message', text, clientId: message.clientId });
      this.input.focus();
    }

    // ---------------------------------------------------------------- the chat and its socket

    beginChat() {
      const name = this.nameInput.value.trim();
      const form = this.form();
      const email = this.guestEmailInput.value.trim();
      this.chat = {
        chatId: null, token: null, queue: this.chatQueue, lastSeq: 0, unacked: [], operator: null,
        name: (form.name !== 'off' && name) || null, email: (form.email !== 'off' && email) || null,
        asksQuestion: form.question !== 'off',
      };
      this.ended = false;
      this.setView('chat');
      this.endButton.hidden = false;
      this.setStatus(t('status.connecting'));
      this.connect();
    }

    resumeSaved(saved) {
      // A reload starts from an empty box: ask for the whole transcript.
      this.chat = { ...saved, lastSeq: 0, unacked: Array.isArray(saved.unacked) ? saved.unacked : [] };
      this.chatQueue = saved.queue;
      this.ended = false;
      this.queuesLoaded.then(() => this.applySkin(saved.queue));
      this.setView('chat');
      this.endButton.hidden = false;
      this.setStatus(t('status.reconnecting'));
      for (const m of this.chat.unacked) this.renderPending(m);
      this.connect();
      if (this.mode === 'widget') this.open(false);
    }

    saveChat() {
      if (this.chat && this.chat.chatId) store.save(this.chat);
    }

    connect() {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      if (this.ws || !this.chat || this.ended) return;
      const url = new URL('ws/guest', base);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      let ws;
      try {
        ws = new WebSocket(url);
      } catch (e) {
        this.scheduleReconnect();
        return;
      }
      this.ws = ws;
      this.live = false;
      ws.onopen = () => {
        if (this.ws !== ws) return;
        if (this.chat.chatId) {
          this.sendFrame({ type: 'resume', chatId: this.chat.chatId, token: this.chat.token, lastSeq: this.chat.lastSeq });
        } else {
          const page = (this.mode === 'page' && document.referrer) || location.href;
          // the first message is the question: it rides with the start, so staff see it on the offer
          const question = this.chat.asksQuestion ? this.chat.unacked[0] : null;
          this.sendFrame({
            type: 'start', queue: this.chat.queue, name: this.chat.name, email: this.chat.email || null,
            page: page.slice(0, MAX_PAGE), question: question ? question.text : null,
            clientId: question ? question.clientId : null,
          });
        }
      };
      ws.onmessage = (e) => {
        if (this.ws !== ws) return;
        let frame;
        try {
          frame = JSON.parse(e.data);
        } catch (err) {
          return;
        }
        if (frame && typeof frame.type === 'string') this.onFrame(frame);
      };
      ws.onclose = () => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.live = false;
        if (this.chat && !this.ended) this.scheduleReconnect();
      };
    }

    scheduleReconnect() {
      if (this.reconnectTimer || this.ended) return;
      const delay = Math.max(this.reconnectDelay, this.holdUntil - Date.now());
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
      this.setStatus(t('status.connectionLost'));
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        this.connect();
      }, delay);
    }

    /** The connection came back (network online again): do not wait for the backoff. */
    reconnectNow() {
      if (this.chat && !this.ended && !this.ws && Date.now() >= this.holdUntil) {
        this.reconnectDelay = RECONNECT_FIRST_MS;
        this.connect();
      }
    }

    dropSocket(holdMs) {
      this.holdUntil = Date.now() + (Number(holdMs) || 0);
      if (this.ws) this.ws.close(4000, 'test drop');
    }

    sendFrame(frame) {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) {
        this.ws.send(JSON.stringify(frame));
        return true;
      }
      return false;
    }

    flushUnacked() {
      if (!this.live || !this.chat) return;
      for (const m of this.chat.unacked) {
        this.sendFrame({ type: 'message', text: m.text, clientId: m.clientId });
      }
    }

    becameLive() {
      this.live = true;
      this.reconnectDelay = RECONNECT_FIRST_MS;
      this.showAlert('');
      this.flushUnacked();
    }

    onFrame(f) {
      switch (f.type) {
        case 'started':
          this.chat.chatId = f.chatId;
          this.chat.token = f.token;
          if (typeof f.queue === 'string') this.chat.queue = f.queue;
          this.saveChat();
          this.setStatus(t('status.waiting'));
          this.becameLive();
          break;
        case 'resumed':
          if (typeof f.queue === 'string') this.chat.queue = f.queue;
          if (f.operator) this.chat.operator = f.operator;
          if (['closed', 'abandoned', 'missed'].includes(f.state)) {
            this.finish(null);
            return;
          }
          this.saveChat();
          this.setStatus(f.state === 'active' && this.chat.operator
            ? t('status.chattingWith', { operator: this.chat.operator }) : t('status.waiting'));
          this.becameLive();
          break;
        case 'queued':
          if (!this.chat.operator && Number.isFinite(f.position)) {
            this.setStatus(waitText(f.position, f.estimatedWaitSeconds));
          }
          break;
        case 'joined':
          this.chat.operator = typeof f.operator === 'string' ? f.operator : 'Someone';
          this.saveChat();
          this.setStatus(t('status.joined', { operator: this.chat.operator }));
          this.addNote(t('note.joined', { operator: this.chat.operator }));
          break;
        case 'message':
          this.onMessage(f);
          break;
        case 'ack':
          this.onAck(f);
          break;
        case 'typing':
          this.showTyping(f.typing === true);
          break;
        case 'closed':
          this.finish(f.by);
          break;
        case 'error':
          this.onError(f);
          break;
        default:
          break; // newer servers may send more
      }
    }

    onError(f) {
      const code = f.code;
      if (!this.live) {
        if (['not_found', 'unauthorized', 'forbidden'].includes(code) && this.chat.chatId) {
          this.finish(null); // the chat we tried to resume is gone
        } else if (code === 'unknown_queue') {
          this.dropChat();
          this.notSetUp();
        } else if (code === 'queue_unavailable') {
          const text = this.chat.unacked.map((m) => m.text).join('\n');
          this.dropChat();
          this.showOffline(text);
        } else if (this.ws) {
          this.ws.close(); // unavailable and the like: try again with backoff
        }
        return;
      }
      if (code === 'unavailable' || code === 'rate_limited') {
        this.showAlert(code === 'rate_limited'
          ? t('alert.tooFast')
          : t('alert.busy'));
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.flushUnacked(), code === 'rate_limited' ? 5000 : 1500);
      } else if (code === 'too_large') {
        this.showAlert(t('alert.tooLong'));
      } else if (typeof f.message === 'string') {
        this.showAlert(f.message);
      }
    }

    showTyping(typing) {
      clearTimeout(this.typingShownTimer);
      if (typing && this.chat.operator) {
        this.setStatus(t('status.typing', { operator: this.chat.operator }));
        this.typingShownTimer = setTimeout(() => this.showTyping(false), TYPING_SHOWN_MAX_MS);
      } else if (this.chat.operator && !this.ended) {
        this.setStatus(t('status.chattingWith', { operator: this.chat.operator }));
      }
    }

    // ---------------------------------------------------------------- rendering messages

    onMessage(f) {
      const seq = Number(f.seq);
      if (!Number.isInteger(seq) || seq < 1 || this.rows.has(seq)) return; // a replay of what we show already
      const from = ['guest', 'operator', 'system'].includes(f.from) ? f.from : 'system';
      if (from === 'guest' && !this.live && this.adoptPending(seq, f)) return;
      const row = this.messageRow(from, f.text, from === 'operator' ? f.name || this.chat.operator : null, f.at);
      this.placeRow(seq, row);
      this.advanceLastSeq();
      this.saveChat();
      if (from === 'operator') {
        this.showTyping(false);
        if (this.mode === 'widget' && !this.isOpen) {
          this.unread += 1;
          this.badge.textContent = String(this.unread);
          this.badge.hidden = false;
        }
      }
    }

    /**
     * A replay (before `resumed`) brings back a message of ours whose ack was lost with the socket:
     * the pending row becomes that message instead of showing it twice. Unacked messages went out
     * in order, so the first pending one with the same text is it. It stays unacked and is sent
     * again; the server answers with its seq, which onAck checks.
     */
    adoptPending(seq, f) {
      const m = this.chat.unacked.find((u) => u.text === f.text && this.pendingRows.has(u.clientId));
      if (!m) return false;
      const row = this.pendingRows.get(m.clientId);
      this.pendingRows.delete(m.clientId);
      this.adopted.set(m.clientId, seq);
      row.classList.remove('sb-row--pending');
      row.querySelector('.sb-meta').textContent = t('meta.you', { time: clockTime(f.at) });
      this.placeRow(seq, row);
      this.advanceLastSeq();
      return true;
    }

    onAck(f) {
      const row = this.pendingRows.get(f.clientId);
      const seq = Number(f.seq);
      const message = this.chat.unacked.find((m) => m.clientId === f.clientId);
      const adoptedSeq = this.adopted.get(f.clientId);
      this.chat.unacked = this.chat.unacked.filter((m) => m.clientId !== f.clientId);
      this.pendingRows.delete(f.clientId);
      this.adopted.delete(f.clientId);
      if (adoptedSeq !== undefined && adoptedSeq !== seq && message && Number.isInteger(seq) && !this.rows.has(seq)) {
        // the replayed message was an older one with the same words; this one is new
        const fresh = this.messageRow('guest', message.text, null, null);
        this.placeRow(seq, fresh);
      }
      if (row && Number.isInteger(seq)) {
        if (this.rows.has(seq)) {
          row.remove(); // the replay already showed it
        } else {
          row.classList.remove('sb-row--pending');
          row.querySelector('.sb-meta').textContent = t('meta.you', { time: clockTime() });
          this.placeRow(seq, row);
        }
      }
      this.advanceLastSeq();
      this.saveChat();
    }

    messageRow(from, text, name, at) {
      const bubble = h('div', { class: 'sb-bubble', 'data-sb': 'message', 'data-from': from });
      bubble.replaceChildren(...linkified(typeof text === 'string' ? text : ''));
      const row = h('div', { class: `sb-row sb-row--${from}` });
      if (from === 'system') {
        row.append(h('span', { class: 'sb-visually-hidden', text: t('notice') }), bubble);
      } else {
        const meta = h('div', { class: 'sb-meta' });
        meta.textContent = from === 'guest' ? t('meta.you', { time: clockTime(at) })
          : t('meta.other', { name: name || t('meta.staff'), time: clockTime(at) });
        row.append(meta, bubble);
      }
      return row;
    }

    renderPending(message) {
      const row = this.messageRow('guest', message.text, null, null);
      row.classList.add('sb-row--pending');
      row.querySelector('.sb-meta').textContent = t('meta.sending');
      this.pendingRows.set(message.clientId, row);
      this.log.append(row);
      this.scrollToEnd();
    }

    /** Keeps numbered messages in seq order, before any still-pending ones. */
    placeRow(seq, row) {
      const bubble = row.querySelector('[data-sb=message]');
      bubble.dataset.seq = String(seq);
      row.dataset.seq = String(seq);
      this.rows.set(seq, row);
      let before = null;
      for (const el of this.log.children) {
        if (el.classList.contains('sb-row--pending')) {
          before = before || el;
          break;
        }
        if (el.dataset.seq && Number(el.dataset.seq) > seq) {
          before = el;
          break;
        }
      }
      this.log.insertBefore(row, before);
      this.scrollToEnd();
    }

    /** lastSeq is the end of the unbroken run 1..n we hold: a gap is asked for again on resume. */
    advanceLastSeq() {
      while (this.rows.has(this.chat.lastSeq + 1)) this.chat.lastSeq += 1;
    }

    addNote(text) {
      const note = h('p', { class: 'sb-note', 'data-sb': 'note' });
      note.textContent = text;
      // notes follow the numbered messages, before the pending ones
      const firstPending = [...this.log.children].find((el) => el.classList.contains('sb-row--pending'));
      this.log.insertBefore(note, firstPending || null);
      this.scrollToEnd();
    }

    scrollToEnd() {
      this.body.scrollTop = this.body.scrollHeight;
    }

    // ---------------------------------------------------------------- ending

    endByGuest() {
      if (!this.chat || this.ended) return;
      if (this.live && this.sendFrame({ type: 'close' })) {
        this.setStatus(t('status.ending'));
        this.endButton.disabled = true;
        clearTimeout(this.closeFallback);
        this.closeFallback = setTimeout(() => this.finish('guest'), CLOSE_FALLBACK_MS);
      } else {
        this.finish('guest');
      }
    }

    /** The chat is over (closed by either side, or gone): forget it and say so. */
    finish(by) {
      if (this.ended) return;
      clearTimeout(this.closeFallback);
      clearTimeout(this.typingShownTimer);
      this.stopTyping();
      this.ended = true;
      store.clear();
      for (const row of this.pendingRows.values()) {
        row.classList.replace('sb-row--pending', 'sb-row--failed');
        row.querySelector('.sb-meta').textContent = t('meta.notDelivered');
      }
      this.pendingRows.clear();
      this.adopted.clear();
      const who = by === 'guest' ? t('ended.byYou')
        : by === 'operator' && this.chat.operator ? t('ended.byOperator', { operator: this.chat.operator })
        : by === 'server' ? t('ended.lost') : t('ended.other');
      this.addNote(who);
      this.setStatus(t('status.ended'));
      this.closeSocket();
      this.input.disabled = true;
      this.sendButton.disabled = true;
      this.endButton.hidden = true;
      this.endButton.disabled = false;
      this.restartButton.hidden = false;
      this.offerTranscript();
      this.offerRating();
      if (this.isOpen && this.root.getRootNode().activeElement === this.input) this.restartButton.focus();
    }

    closeSocket() {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      const ws = this.ws;
      this.ws = null;
      this.live = false;
      if (ws) ws.close(1000);
    }

    dropChat() {
      this.closeSocket();
      store.clear();
      this.chat = null;
      this.ended = false;
      for (const row of [...this.log.children]) {
        if (row !== this.greeting) row.remove();
      }
      this.rows.clear();
      this.pendingRows.clear();
      this.adopted.clear();
      this.emailBox.hidden = true;
      this.ratingBox.hidden = true;
    }

    restart() {
      const name = this.chat && this.chat.name;
      this.dropChat();
      this.showAlert('');
      if (name) this.nameInput.value = name;
      this.input.disabled = false;
      this.sendButton.disabled = false;
      this.restartButton.hidden = true;
      this.checkPresence().then(() => this.focusInside());
    }

    // ---------------------------------------------------------------- after the chat: rating

    buildRatingBox(ids) {
      this.ratingChoices = [1, 2, 3, 4, 5].map((n, i) => h('input', {
        type: 'radio', name: 'sb-rating', value: String(i + 1), id: ids(`rating-${i + 1}`), 'data-sb': 'rating-value',
        'aria-label': t('rating.choice', { n, label: t(`rating.${n}`) }),
      }));
      this.ratingComment = h('textarea', {
        id: ids('rating-comment'), class: 'sb-input', 'data-sb': 'rating-comment', rows: '2', maxlength: '2000',
      });
      this.ratingSend = h('button', {
        type: 'button', class: 'sb-secondary', 'data-sb': 'rating-send', text: t('rating.send'),
        onclick: () => this.sendRating(),
      });
      this.ratingStatus = h('p', { class: 'sb-note', 'data-sb': 'rating-status', role: 'status' });
      this.ratingFields = h('div', { class: 'sb-rating-fields' },
        h('fieldset', { class: 'sb-rating-scale' },
          h('legend', { text: t('rating.legend') }),
          h('div', { class: 'sb-rating-choices' },
            ...this.ratingChoices.map((input, i) => h('label', { class: 'sb-rating-choice', for: input.id },
              input, h('span', { text: String(i + 1), 'aria-hidden': 'true' }))))),
        h('label', { for: ids('rating-comment') }, `${t('rating.comment')} `, h('span', { class: 'sb-optional', text: t('optional') })),
        this.ratingComment,
        this.ratingSend);
      return h('div', { class: 'sb-field sb-rating', 'data-sb': 'rating', hidden: true }, this.ratingFields,
        this.ratingStatus);
    }

    /** After the chat ended, where its queue asks for ratings. */
    async offerRating() {
      const chat = this.chat;
      if (!chat || !chat.chatId || !chat.token) return;
      await this.queuesLoaded;
      const info = this.queueInfo.get(chat.queue) || {};
      if (info.rating !== true || this.chat !== chat || !this.ended) return;
      this.ratingChoices.forEach((c) => { c.checked = false; });
      this.ratingComment.value = '';
      this.ratingStatus.textContent = '';
      this.ratingFields.hidden = false;
      this.ratingSend.disabled = false;
      this.ratingBox.hidden = false;
    }

    async sendRating() {
      const chosen = this.ratingChoices.find((c) => c.checked);
      if (!chosen) {
        this.ratingStatus.textContent = t('rating.choose');
        this.ratingChoices[0].focus();
        return;
      }
      const comment = this.ratingComment.value.trim();
      this.ratingSend.disabled = true;
      this.ratingStatus.textContent = t('rating.sending');
      const answer = await this.afterChat({ type: 'rate', rating: Number(chosen.value), comment: comment || null }, 'rated');
      if (answer.ok) {
        this.ratingFields.hidden = true;
        this.ratingStatus.textContent = t('rating.thanks');
      } else {
        this.ratingSend.disabled = false;
        this.ratingStatus.textContent = t('rating.failed');
      }
    }

    /**
     * The chat's socket closed with the chat, so a short-lived one resumes the ended chat (only its
     * guest holds the token) and sends `frame`; answers {ok} on `expect`, {ok: false, code} otherwise.
     */
    afterChat(frame, expect) {
      const chat = this.chat;
      return new Promise((resolve) => {
        if (!chat || !chat.chatId || !chat.token) {
          resolve({ ok: false, code: null });
          return;
        }
        let ws = null;
        let settled = false;
        const settle = (answer) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (ws) ws.close(1000);
          resolve(answer);
        };
        const timer = setTimeout(() => settle({ ok: false, code: null }), 30000);
        const url = new URL('ws/guest', base);
        url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
        try {
          ws = new WebSocket(url);
        } catch (e) {
          settle({ ok: false, code: null });
          return;
        }
        ws.onopen = () => ws.send(JSON.stringify({
          type: 'resume', chatId: chat.chatId, token: chat.token, lastSeq: chat.lastSeq,
        }));
        ws.onmessage = (e) => {
          let f;
          try {
            f = JSON.parse(e.data);
          } catch (err) {
            return;
          }
          if (!f) return;
          if (f.type === 'resumed') ws.send(JSON.stringify(frame));
          else if (f.type === expect) settle({ ok: true });
          else if (f.type === 'error') settle({ ok: false, code: f.code });
        };
        ws.onclose = () => settle({ ok: false, code: null });
      });
    }

    // ---------------------------------------------------------------- a copy by email

    buildEmailBox(ids) {
      this.emailInput = h('input', {
        id: ids('email-transcript'), class: 'sb-input', 'data-sb': 'email-transcript', type: 'email',
        autocomplete: 'email', maxlength: '254',
        onkeydown: (e) => {
          if (e.key === 'Enter') { // not the composer's submit
            e.preventDefault();
            this.sendTranscript();
          }
        },
      });
      this.emailSend = h('button', {
        type: 'button', class: 'sb-secondary', 'data-sb': 'email-send', text: t('send'), onclick: () => this.sendTranscript(),
      });
      this.emailStatus = h('p', { class: 'sb-note', 'data-sb': 'email-status', role: 'status' });
      return h('div', { class: 'sb-field sb-email', hidden: true },
        h('label', { for: ids('email-transcript'), text: t('copy.label') }),
        h('div', { class: 'sb-compose-row' }, this.emailInput, this.emailSend),
        this.emailStatus);
    }

    /** After the chat ended: offers a copy by email when the server can send one (GET api/v1/features). */
    async offerTranscript() {
      const chat = this.chat;
      if (!chat || !chat.chatId || !chat.token) return;
      if (!this.features) {
        this.features = api('api/v1/features').then((r) => (r.ok && r.body) || {}).catch(() => ({}));
      }
      const features = await this.features;
      if (features.emailTranscripts !== true || this.chat !== chat || !this.ended) return;
      this.emailStatus.textContent = '';
      this.emailSend.disabled = false;
      this.emailBox.hidden = false;
    }

    /** The server mails the transcript to the address given (over a short-lived socket: afterChat). */
    async sendTranscript() {
      const chat = this.chat;
      const email = this.emailInput.value.trim();
      if (!chat || !chat.chatId || !chat.token || this.emailSend.disabled) return;
      if (!email || !this.emailInput.checkValidity()) {
        this.emailInput.setAttribute('aria-invalid', 'true');
        this.emailStatus.textContent = t('copy.needEmail');
        this.emailInput.focus();
        return;
      }
      this.emailInput.removeAttribute('aria-invalid');
      this.emailSend.disabled = true;
      this.emailStatus.textContent = t('copy.sending');
      const errors = {
        bad_request: t('copy.badEmail'),
        rate_limited: t('copy.limit'),
      };
      const answer = await this.afterChat({ type: 'email_transcript', email }, 'email_sent');
      this.emailStatus.textContent = answer.ok ? t('copy.sent', { email })
        : errors[answer.code] || t('copy.failed');
      this.emailSend.disabled = false;
    }
  }

  // ------------------------------------------------------------------ mounting

  function safeDecode(text) {
    try {
      return decodeURIComponent(text);
    } catch (e) {
      return text;
    }
  }

  function listAttr(value) {
    const list = (value || '').split(',').map((s) => s.trim()).filter(Boolean);
    return list.length ? list : null;
  }

  function mount() {
    const pageHost = document.getElementById(PAGE_ID);
    let box;
    let container;
    if (pageHost) {
      const fromPath = /\/chat\/([^/]+)\/?$/.exec(location.pathname);
      const queues = listAttr(pageHost.dataset.queues);
      box = new ChatBox({
        mode: 'page',
        queue: pageHost.dataset.queue || (fromPath ? safeDecode(fromPath[1]) : null),
        queues,
        recheckSeconds: pageHost.dataset.recheckSeconds || script.dataset.recheckSeconds,
      });
      installStyles(document);
      container = pageHost;
    } else {
      const host = document.createElement('div');
      host.id = WIDGET_ID;
      // The page's own CSS may style every div; the host keeps none of it (inline !important wins).
      host.style.setProperty('all', 'initial', 'important');
      const shadow = host.attachShadow({ mode: 'open' });
      installStyles(shadow);
      box = new ChatBox({
        mode: 'widget',
        queue: script.dataset.queue || null,
        queues: listAttr(script.dataset.queues),
        recheckSeconds: script.dataset.recheckSeconds,
      });
      container = shadow;
      document.body.append(host);
    }
    window.addEventListener('online', () => box.reconnectNow());
    if (!('Switchboard' in window)) { // a page that has its own keeps it
      Object.defineProperty(window, 'Switchboard', {
        value: Object.freeze({
          open: () => box.root && box.open(),
          close: () => box.root && box.close(),
          /** For integration tests: drops the socket as a network failure would, and waits holdMs before reconnecting. */
          _debugDropSocket: (holdMs) => box.dropSocket(holdMs),
        }),
        configurable: true,
      });
    }
    box.prepare().then(() => {
      if (box.mode === 'page') document.documentElement.lang = box.lang;
      box.build(container);
      box.start();
    });
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener('DOMContentLoaded', mount, { once: true });
  }
})();
