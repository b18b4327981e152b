/*
 * Switchboard operator console (/console/): plain JavaScript, no build step.
 *
 * The console talks to the server over the operator socket (/ws/operator, DESIGN §3) and the JSON API
 * (DESIGN §4). Every piece of text that comes from people or the server is set with textContent; the
 * only URLs put in attributes are a guest's page (http/https only) and a mailto: address.
 *
 * Automation hooks (data-sb). The first group is the stable contract of DESIGN §4:
 *   login-user, login-password, login-submit       sign-in form fields and button
 *   availability [data-queue=NAME]                  checkbox: this operator available on NAME
 *   offer [data-chat=ID] > accept                   a ringing chat and its Accept button
 *   chat [data-chat=ID] > input, send, message      a chat pane, its box, button, and one element per
 *                                                  message (data-from=guest|operator|system, data-seq)
 * The console's own hooks (kept stable as far as we can):
 *   login-view, login-form, login-error, login-notice   sign-in page; notice = why you are here again
 *   console, operator-name, overall-state (Available|Away), overall-dot, overall-toggle, connection,
 *   notify (turn on desktop alerts), logout, lang (the language select), toasts > toast
 *   queues, queue [data-queue] (class queue--on once the server confirmed), queue-title,
 *     queue-status [data-queue] ("2 available · 1 waiting")
 *   offers, offer-count, offers-empty; inside an offer: offer-guest, offer-queue (asked), offer-on-label, offer-offered-on,
 *     offer-widened (shown when offered on a backup queue), offer-waited (m:ss), offer-page
 *   tabs, chat-tab [data-chat] (aria-selected), tab-name, unread (badge), tab-typing, panes, no-chats
 *   inside a chat: chat-guest, chat-email, chat-page, chat-queue, messages, message-row, message-time,
 *     typing (guest typing), chat-ended, chat-error, transfer-form, transfer-target (select; values
 *     "queue:NAME", "operator:ID", "other"), transfer-operator (free operator id), transfer, close,
 *     transcript, dismiss, timeline, timeline-event [data-kind], canned-suggestions, canned-option [data-id]
 *   inbox, inbox-count, inbox-empty, inbox-refresh, inbox-item [data-id][data-done], inbox-name,
 *     inbox-email, inbox-queue, inbox-question, inbox-page, inbox-done (button), inbox-done-by
 *   recent, recent-empty, recent-chat [data-chat] (opens the transcript)
 *   canned-manage, canned-dialog, canned-list, canned-item [data-id], canned-edit, canned-delete,
 *     canned-form, canned-form-title, canned-shortcut, canned-queue, canned-text, canned-save,
 *     canned-cancel, canned-error, canned-unavailable
 *   transcript-dialog, transcript-title, transcript-meta, transcript, transcript-message, dialog-close
 *   archive-open, archive-dialog > archive-form (archive-words, archive-from, archive-to, archive-queue,
 *   archive-operator (admins), archive-rating, archive-resolution, archive-search, archive-export),
 *   archive-status, archive-results > archive-rows > archive-row[data-chat] > archive-open-chat, archive-more
 * The element [data-sb=console] counts the rings it played in data-rings (for tests).
 *
 * Words (issue 16): every text the console shows comes from webroot/i18n/console.LANG.json (t() below);
 * index.html names its messages with data-i18n, data-i18n-placeholder, data-i18n-aria-label and
 * data-i18n-title, and keeps its English as written there.
 */
(() => {
  'use strict';

  const SESSION_KEY = 'switchboard.console.session';
  const ACTIVE_KEY = 'switchboard.console.active';
  const RECENT_KEY = 'switchboard.console.recent';
  const WANTED_KEY = 'switchboard.console.available';
  const SESSION_MS = 12 * 60 * 60 * 1000; // the server's session length
  const RECONNECT_FIRST_MS = 500;
  const RECONNECT_MAX_MS = 10000;
  const RESYNC_GRACE_MS = 5000;
  const TYPING_REPEAT_MS = 2000;
  const TYPING_IDLE_MS = 3000;
  const TYPING_SHOWN_MAX_MS = 10000;
  const INBOX_POLL_MS = 30000;
  /** An offer rings again this often until someone answers it (or it is withdrawn). */
  const RING_REPEAT_MS = 5000;
  const LIVE_POLL_MS = 5000;
  const MAX_TEXT = 4096;
  const MAX_SUGGESTIONS = 8;
  const MAX_RECENT = 30;
  const LANG_KEY = 'switchboard.console.lang';
  /** The languages with a message file, webroot/i18n/console.LANG.json (and an option in the top bar's select). */
  const LANGUAGES = ['en', 'fr'];
  /** Resolution codes (DESIGN §3), as cooperative reference counts them, and the keys of their labels. */
  const RESOLUTIONS = [
    ['answered', 'resolution.answered'], ['referred', 'resolution.referred'], ['follow-up', 'resolution.followUp'],
    ['follow-up-home', 'resolution.followUpHome'], ['lost', 'resolution.lost'], ['practice', 'resolution.practice'],
  ];

  // Everything is relative to where console.js came from, so a server behind a path prefix works too.
  const base = new URL('..', document.currentScript ? document.currentScript.src : location.href);
  const apiUrl = (path) => new URL(path.replace(/^\//, ''), base).toString();

  // ------------------------------------------------------------------ small helpers

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
  const hook = (name, root = document) => $(`[data-sb="${name}"]`, root);

  /** Builds an element. `text` is set with textContent; `sb` becomes data-sb; other props become attributes. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (key === 'text') el.textContent = value;
      else if (key === 'class') el.className = value;
      else if (key === 'sb') el.dataset.sb = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child != null && child !== false) el.append(child);
    }
    return el;
  }

  // ------------------------------------------------------------------ words (issue 16)

  /** The messages of the console's language, loaded before anything with text shows. */
  let MESSAGES = {};
  /** The locale of dates, numbers and plurals: the console's language, in the browser's variant of it. */
  let locale;
  let pluralRules = null;
  let timeFormat = null;
  let dateTimeFormat = null;

  const has = (key) => typeof MESSAGES[key] === 'string';

  /** A message with its {placeholders} filled in as plain text; the key itself when no file has it (never a crash). */
  function t(key, vars) {
    const text = has(key) ? MESSAGES[key] : key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (vars && vars[name] != null ? String(vars[name]) : whole));
  }

  /** KEY + "One" or KEY + "Many", as the language counts: French counts 0 as one ("0 disponible"), English not. */
  function tn(key, count, vars) {
    const one = pluralRules ? pluralRules.select(count) === 'one' : count === 1;
    return t(key + (one ? 'One' : 'Many'), { count, ...vars });
  }

  const primaryLanguage = (tag) => String(tag || '').toLowerCase().split('-')[0];

  function browserLanguages() {
    return navigator.languages && navigator.languages.length ? [...navigator.languages] : [navigator.language];
  }

  /** The operator's choice in this browser, else the browser's first language we have words for, else English. */
  function chooseLanguage() {
    let chosen = null;
    try {
      chosen = localStorage.getItem(LANG_KEY);
    } catch (e) {
      // storage refused: the browser's languages decide
    }
    // only a language tag goes into the file's address
    if (chosen && /^[a-z]{2,3}$/.test(chosen)) return chosen;
    return browserLanguages().map(primaryLanguage).find((lang) => LANGUAGES.includes(lang)) || 'en';
  }

  /** Loads console.LANG.json, else English's; answers the language loaded. With no file at all t() shows keys. */
  async function loadMessages(wanted) {
    for (const lang of [...new Set([wanted, 'en'])]) {
      try {
        const response = await fetch(new URL(`i18n/console.${lang}.json`, base));
        if (response.ok) {
          const messages = await response.json();
          if (messages && typeof messages === 'object' && !Array.isArray(messages)) {
            MESSAGES = messages;
            return lang;
          }
        }
      } catch (e) {
        // a missing or broken file: the next one
      }
    }
    return 'en';
  }

  /**
   * Dates, times and counts follow the console's language: with the browser's own habits when it speaks that
   * language already, else its variant of it (fr-CA) from its languages, else the bare language.
   */
  function useLocale(lang) {
    const own = new Intl.DateTimeFormat().resolvedOptions().locale;
    locale = !lang || primaryLanguage(own) === lang ? own
      : browserLanguages().find((tag) => primaryLanguage(tag) === lang) || lang;
    try {
      pluralRules = new Intl.PluralRules(locale);
    } catch (e) {
      locale = undefined;
      pluralRules = new Intl.PluralRules();
    }
    timeFormat = new Intl.DateTimeFormat(locale, {
      hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
    });
    dateTimeFormat = new Intl.DateTimeFormat(locale, {
      day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false,
    });
  }

  useLocale(undefined); // the browser's own, until the console's language is known

  const I18N_ATTRIBUTES = [
    ['data-i18n-placeholder', 'placeholder'], ['data-i18n-aria-label', 'aria-label'], ['data-i18n-title', 'title'],
  ];

  /**
   * The static texts of index.html, each naming its message. A key a file lacks keeps the English written in
   * the page, which reads better than a key.
   */
  function translatePage() {
    for (const el of $$('[data-i18n]')) {
      if (has(el.dataset.i18n)) el.textContent = t(el.dataset.i18n);
    }
    for (const [data, attribute] of I18N_ATTRIBUTES) {
      for (const el of $$(`[${data}]`)) {
        if (has(el.getAttribute(data))) el.setAttribute(attribute, t(el.getAttribute(data)));
      }
    }
  }

  /** The top bar's language select: the choice is kept in this browser and the page starts again in it. */
  /** The language choices, on the sign-in page and in the top bar. */
  function setUpLanguageSelect(lang) {
    for (const select of [hook('lang'), hook('login-lang')]) {
      select.value = lang;
      select.addEventListener('change', () => {
        try {
          localStorage.setItem(LANG_KEY, select.value);
        } catch (e) {
          return; // nowhere to keep the choice: a reload would come back in the same language
        }
        location.reload();
      });
    }
  }

  const endedNotice = () => t('session.ended');

  function parseTime(iso) {
    const ms = iso ? Date.parse(iso) : NaN;
    return Number.isNaN(ms) ? null : new Date(ms);
  }

  function clockTime(iso) {
    const d = parseTime(iso);
    return d ? timeFormat.format(d) : '';
  }

  function shortDateTime(iso) {
    const d = parseTime(iso);
    return d ? dateTimeFormat.format(d) : '';
  }

  function waited(iso) {
    const d = parseTime(iso);
    if (!d) return '';
    const s = Math.max(0, Math.floor((Date.now() - d.getTime()) / 1000));
    const m = Math.floor(s / 60);
    if (m >= 60) return t('time.hoursMinutes', { hours: Math.floor(m / 60), minutes: String(m % 60).padStart(2, '0') });
    return `${m}:${String(s % 60).padStart(2, '0')}`;
  }

  /** A guest's page as a link only when it is an http(s) URL; otherwise plain text. */
  function safeHttpUrl(value) {
    if (typeof value !== 'string' || !value) return null;
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
    } catch (e) {
      return null;
    }
  }

  /**
   * Chat text as DOM nodes: plain text, with http and https addresses as links (rel noopener
   * noreferrer nofollow, a new tab) and nothing else. The same rules as the widget's.
   */
  function linkified(text) {
    const nodes = [];
    const pattern = /https?:\/\/[^\s<>"']+/gi;
    let last = 0;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      let candidate = match[0];
      candidate = withoutTrailingPunctuation(candidate);
      const url = safeHttpUrl(candidate);
      if (!url) continue;
      if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
      nodes.push(h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow', text: candidate }));
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

  function readJson(storage, key) {
    try {
      const raw = storage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function writeJson(storage, key, value) {
    try {
      if (value == null) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify(value));
    } catch (e) {
      // private mode or a full store: the console still works, it just forgets on reload
    }
  }

  let clientIds = 0;
  const newClientId = () => `c${Date.now().toString(36)}${(++clientIds).toString(36)}`;

  // ------------------------------------------------------------------ state

  const state = {
    session: null, // {token, operator: {id, name, role, queues, maxChats}, expiresAt}
    queueTitles: new Map(), // every queue's title, from /api/v1/queues
    queues: new Map(), // the queues I staff: name -> {name, available (me), open, operatorsAvailable, waiting, operators}
    names: new Map(), // operator id -> display name, as far as we have seen
    offers: new Map(), // chatId -> {frame, el, notification}
    chats: new Map(), // chatId -> chat (see newChat)
    order: [], // chat ids, in tab order
    active: null,
    restoreActive: null, // the chat that was in front before a reload
    // The queues this person chose to be available on. The server forgets them when the last console
    // socket closes (DESIGN §1), so after a reload or a dropped connection the console sets them again.
    wanted: new Set(),
    canned: [],
    cannedAvailable: true,
    inbox: [],
    recent: [],
    rings: 0,
    rung: new Set(), // chats whose offer has rung, so a re-sent offer stays quiet
  };

  let ws = null;
  let wantSocket = false;
  let reconnectDelay = RECONNECT_FIRST_MS;
  let reconnectTimer = 0;
  let resyncTimer = 0;
  let expiryTimer = 0;
  let inboxTimer = 0;
  let tickTimer = 0;
  let connected = false;

  // ------------------------------------------------------------------ views

  const loginView = hook('login-view');
  const consoleView = hook('console');

  function showLogin(notice) {
    consoleView.hidden = true;
    loginView.hidden = false;
    const noticeEl = hook('login-notice');
    noticeEl.textContent = notice || '';
    noticeEl.hidden = !notice;
    hook('login-error').hidden = true;
    hook('login-password').value = '';
    document.title = t('login.pageTitle');
    const user = hook('login-user');
    (user.value ? hook('login-password') : user).focus();
  }

  function showConsole() {
    loginView.hidden = true;
    consoleView.hidden = false;
    hook('operator-name').textContent = state.session.operator.name || state.session.operator.id;
    renderOffersMeta();
    renderChatsMeta();
    updateNotifyButton();
    updateTitle();
  }

  // ------------------------------------------------------------------ sign-in and session

  function saveSession() {
    writeJson(sessionStorage, SESSION_KEY, state.session);
  }

  function armExpiry() {
    clearTimeout(expiryTimer);
    const left = state.session.expiresAt - Date.now();
    expiryTimer = setTimeout(() => sessionEnded(endedNotice()), Math.min(Math.max(left, 0), 0x7fffffff));
  }

  async function onLoginSubmit(event) {
    event.preventDefault();
    unlockAudio();
    askNotificationPermission();
    const user = hook('login-user').value.trim();
    const password = hook('login-password').value;
    const error = hook('login-error');
    const submit = hook('login-submit');
    if (!user || !password) {
      showLoginError(t('login.missing'));
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.signingIn');
    error.hidden = true;
    try {
      const response = await fetch(apiUrl('/api/v1/login'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: user, password }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok && body.token) {
        startSession({ token: body.token, operator: body.operator, expiresAt: Date.now() + SESSION_MS });
        return;
      }
      if (response.status === 401) showLoginError(t('login.mismatch'));
      else if (response.status === 429) showLoginError(t('login.tooMany'));
      else showLoginError(body.message || t('login.failed'));
    } catch (e) {
      showLoginError(t('login.unreachable'));
    } finally {
      submit.disabled = false;
      submit.textContent = t('login.submit');
    }
  }

  function showLoginError(text) {
    const error = hook('login-error');
    error.textContent = text;
    error.hidden = false;
    hook('login-notice').hidden = true;
    hook('login-password').select();
  }

  function startSession(session) {
    state.session = session;
    saveSession();
    armExpiry();
    state.recent = readJson(sessionStorage, RECENT_KEY) || [];
    state.restoreActive = readJson(sessionStorage, ACTIVE_KEY);
    state.wanted = new Set(readJson(sessionStorage, WANTED_KEY) || []);
    for (const name of session.operator.queues || []) ensureQueue(name);
    renderQueues();
    renderRecent();
    showConsole();
    loadQueueTitles();
    loadCanned();
    loadFeatures().then(loadInbox);
    clearInterval(inboxTimer);
    inboxTimer = setInterval(loadInbox, INBOX_POLL_MS);
    clearInterval(tickTimer);
    tickTimer = setInterval(tick, 1000);
    connect();
  }

  /** What the server offers (answers by email need its mail set-up). */
  async function loadFeatures() {
    try {
      const response = await fetch(apiUrl('/api/v1/features'));
      const features = await response.json();
      state.mailOn = !!(features && features.emailTranscripts === true);
    } catch (e) {
      state.mailOn = false;
    }
  }

  /** Back to the sign-in page, forgetting everything of this session. */
  function sessionEnded(notice) {
    wantSocket = false;
    clearTimeout(reconnectTimer);
    clearTimeout(resyncTimer);
    clearTimeout(expiryTimer);
    clearInterval(inboxTimer);
    clearInterval(tickTimer);
    if (ws) {
      const socket = ws;
      ws = null;
      try { socket.close(1000, 'signed out'); } catch (e) { /* already closing */ }
    }
    connected = false;
    for (const offer of state.offers.values()) closeNotification(offer);
    state.session = null;
    state.offers.clear();
    state.chats.clear();
    state.order = [];
    state.active = null;
    state.queues.clear();
    state.canned = [];
    state.inbox = [];
    state.recent = [];
    state.wanted = new Set();
    state.rung.clear();
    writeJson(sessionStorage, WANTED_KEY, null);
    writeJson(sessionStorage, SESSION_KEY, null);
    writeJson(sessionStorage, ACTIVE_KEY, null);
    writeJson(sessionStorage, RECENT_KEY, null);
    hook('offers').replaceChildren();
    hook('tabs').replaceChildren();
    $$('[data-sb="chat"]').forEach((el) => el.remove());
    hook('queues').replaceChildren();
    hook('inbox').replaceChildren();
    hook('recent').replaceChildren();
    $$('dialog[open]').forEach((d) => d.close());
    renderOffersMeta();
    renderChatsMeta();
    showLogin(notice);
  }

  async function logout() {
    const token = state.session && state.session.token;
    // close our own socket first, so the server's 4401 for the revoked token is not read as an expiry
    sessionEnded(t('session.signedOut'));
    if (token) {
      fetch(apiUrl('/api/v1/logout'), { method: 'POST', headers: { Authorization: `Bearer ${token}` } })
        .catch(() => { /* the token expires by itself */ });
    }
  }

  /** A JSON API call with the session's token. A 401 means the session is over. */
  async function api(method, path, body) {
    if (!state.session) throw new Error('signed out');
    const headers = { Authorization: `Bearer ${state.session.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(apiUrl(path), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    let json = null;
    if (response.status !== 204) json = await response.json().catch(() => null);
    if (response.status === 401 && state.session) {
      sessionEnded(endedNotice());
    }
    return { ok: response.ok, status: response.status, json };
  }

  // ------------------------------------------------------------------ the socket

  function connect() {
    wantSocket = true;
    clearTimeout(reconnectTimer);
    const url = new URL('ws/operator', base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let socket;
    try {
      socket = new WebSocket(url.toString());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = socket;
    setConnection('connecting', t('connection.connecting'));
    socket.addEventListener('open', () => {
      if (socket === ws && state.session) socket.send(JSON.stringify({ type: 'auth', token: state.session.token }));
    });
    socket.addEventListener('message', (event) => {
      if (socket !== ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame && typeof frame.type === 'string' && handlers[frame.type]) {
        handlers[frame.type](frame);
      }
    });
    socket.addEventListener('close', (event) => {
      if (socket !== ws) return;
      ws = null;
      connected = false;
      if (event.code === 4401) {
        sessionEnded(endedNotice());
        return;
      }
      if (wantSocket) scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    const delay = Math.round(reconnectDelay * (0.8 + Math.random() * 0.4));
    reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
    setConnection('down', t('connection.lost', { seconds: Math.max(1, Math.round(delay / 1000)) }));
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, delay);
    // offers are re-sent after the reconnect; until then nobody should accept stale ones
    for (const offer of state.offers.values()) offer.el.classList.add('offer--stale');
    renderComposerState();
  }

  function send(frame) {
    if (!ws || ws.readyState !== WebSocket.OPEN || !connected) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  function setConnection(kind, text) {
    const el = hook('connection');
    el.dataset.state = kind;
    el.textContent = text || '';
  }

  const handlers = {
    ready: onReady,
    availability: onAvailability,
    presence: onPresence,
    queue_status: onQueueStatus,
    offer: onOffer,
    offer_withdrawn: onOfferWithdrawn,
    accepted: onAccepted,
    message: onMessage,
    ack: onAck,
    typing: onTyping,
    closed: onClosed,
    resolved: onResolved,
    timeline: onTimeline,
    error: onError,
  };

  function onReady(frame) {
    connected = true;
    reconnectDelay = RECONNECT_FIRST_MS;
    setConnection('up', '');
    const op = frame.operator || {};
    if (op.name) {
      state.session.operator.name = op.name;
      saveSession();
      hook('operator-name').textContent = op.name;
    }
    state.names.set(state.session.operator.id, state.session.operator.name);
    for (const q of frame.queues || []) {
      const queue = ensureQueue(q.name);
      queue.available = !!q.available;
      if (!queue.available && state.wanted.has(q.name)) {
        if (send({ type: 'availability', queue: q.name, available: true })) queue.pending = true;
      }
    }
    renderQueues();
    // the server re-sends every offer and every chat we hold; anything not re-sent is gone
    for (const offer of state.offers.values()) {
      clearInterval(offer.repeat);
      closeNotification(offer);
      offer.el.remove();
    }
    state.offers.clear();
    renderOffersMeta();
    for (const chat of state.chats.values()) {
      if (!chat.ended) chat.synced = false;
    }
    clearTimeout(resyncTimer);
    resyncTimer = setTimeout(() => {
      for (const chat of state.chats.values()) {
        if (!chat.ended && !chat.synced) endChat(chat, t('chat.lostConnection'));
      }
    }, RESYNC_GRACE_MS);
    renderComposerState();
    loadInbox();
    state.awayAfterMs = Math.max(0, Number(frame.awayAfterIdleSeconds) || 0) * 1000;
    const role = op.role || state.session.operator.role;
    state.supervisor = role === 'admin';
    hook('live-panel').hidden = !state.supervisor;
    clearInterval(liveTimer);
    if (state.supervisor) {
      loadLive();
      liveTimer = setInterval(loadLive, LIVE_POLL_MS);
    }
  }

  // ------------------------------------------------------------------ auto-away (issue 16)

  let lastActivity = Date.now();

  function noteActivity() {
    lastActivity = Date.now();
  }

  /** Nobody touched the console for the configured time: away on every queue, until "I'm back". */
  function checkIdle() {
    if (!state.awayAfterMs || state.autoAway || !connected) return;
    if (Date.now() - lastActivity < state.awayAfterMs) return;
    const available = [...state.queues.values()].filter((q) => q.available || q.pending).map((q) => q.name);
    if (!available.length) return;
    state.autoAway = available;
    for (const name of available) setAvailable(name, false);
    const minutes = Math.round(state.awayAfterMs / 60000);
    hook('auto-away-text').textContent = minutes >= 1 ? tn('away.afterMinutes', minutes) : t('away.whileIdle');
    hook('auto-away').hidden = false;
  }

  function backFromAway() {
    const names = state.autoAway || [];
    state.autoAway = null;
    noteActivity();
    hook('auto-away').hidden = true;
    for (const name of names) setAvailable(name, true);
  }

  // ------------------------------------------------------------------ live chats, for admins (issue 16)

  let liveTimer = null;

  async function loadLive() {
    if (!state.supervisor || !state.session) return;
    try {
      const r = await api('GET', '/api/v1/admin/live');
      if (!r.ok || !r.json) return;
      const items = r.json.chats.map((c) => {
        const since = c.state === 'active' ? c.acceptedAt : c.waitingSince;
        const who = c.state === 'active' ? t('live.heldBy', { operator: c.operatorName })
          : c.offeredTo.length ? t('live.ringingFor', { operators: c.offeredTo.map((o) => o.name).join(', ') })
            : t('live.waitingNobody');
        return h('li', { class: 'live__item', sb: 'live-chat', 'data-chat': c.id, 'data-state': c.state },
          h('strong', { text: c.guest || t('guest.default') }),
          h('span', { text: ` · ${queueTitle(c.queue)} · ${who} · ${waited(since)}` }));
      });
      hook('live').replaceChildren(...items);
      hook('live-count').textContent = String(items.length);
      hook('live-empty').hidden = items.length > 0;
    } catch (e) {
      // tried again at the next poll
    }
  }

  // ------------------------------------------------------------------ queues and availability

  function ensureQueue(name) {
    let q = state.queues.get(name);
    if (!q) {
      q = { name, available: false, pending: null, open: null, operatorsAvailable: null, waiting: null, operators: [], el: null };
      state.queues.set(name, q);
    }
    return q;
  }

  function queueTitle(name) {
    return state.queueTitles.get(name) || name;
  }

  async function loadQueueTitles() {
    try {
      const response = await fetch(apiUrl('/api/v1/queues'));
      const list = await response.json();
      if (Array.isArray(list)) {
        for (const q of list) {
          if (q && typeof q.name === 'string') state.queueTitles.set(q.name, typeof q.title === 'string' ? q.title : q.name);
        }
      }
    } catch (e) {
      // names stand in for titles
    }
    renderQueues();
    for (const chat of state.chats.values()) renderTransferOptions(chat);
    renderCannedQueueOptions();
  }

  function renderQueues() {
    const list = hook('queues');
    for (const q of state.queues.values()) {
      if (!q.el) {
        const box = h('input', { type: 'checkbox', sb: 'availability', 'data-queue': q.name, class: 'switch' });
        box.addEventListener('change', () => setAvailable(q.name, box.checked));
        q.el = h('li', { class: 'queue', sb: 'queue', 'data-queue': q.name },
          h('label', { class: 'queue__toggle' },
            box,
            h('span', { class: 'queue__names' },
              h('span', { class: 'queue__title', sb: 'queue-title' }),
              h('span', { class: 'queue__sub' },
                h('span', { class: 'queue__slug', text: q.name }),
                h('span', { class: 'queue__status', sb: 'queue-status', 'data-queue': q.name })))));
        list.append(q.el);
      }
      hook('queue-title', q.el).textContent = queueTitle(q.name);
      const box = hook('availability', q.el);
      box.checked = q.pending != null ? q.pending : q.available;
      box.setAttribute('aria-label', t('queues.availableOn', { queue: queueTitle(q.name) }));
      q.el.classList.toggle('queue--on', q.available);
      hook('queue-status', q.el).textContent = queueStatusText(q);
    }
    const anyAvailable = [...state.queues.values()].some((q) => q.available);
    hook('overall-state').textContent = anyAvailable ? t('state.available') : t('state.away');
    hook('overall-dot').dataset.state = anyAvailable ? 'available' : 'away';
    consoleView.dataset.overall = anyAvailable ? 'available' : 'away';
    const toggle = hook('overall-toggle');
    toggle.textContent = anyAvailable ? t('queues.goAway') : t('queues.goAvailable');
    toggle.hidden = state.queues.size === 0;
  }

  function queueStatusText(q) {
    if (q.operatorsAvailable != null) {
      const waiting = q.waiting == null ? '' : ` · ${tn('queues.waiting', q.waiting)}`;
      return `${tn('queues.available', q.operatorsAvailable)}${waiting}`;
    }
    if (q.open === true) return t('queues.open');
    if (q.open === false) return t('queues.nobody');
    return '';
  }

  function setAvailable(name, available) {
    const q = ensureQueue(name);
    if (!send({ type: 'availability', queue: name, available })) {
      toast(t('error.notConnected'));
      renderQueues();
      return;
    }
    q.pending = available;
    renderQueues();
  }

  function onAvailability(frame) {
    const q = ensureQueue(frame.queue);
    q.available = !!frame.available;
    q.pending = null;
    if (q.available) state.wanted.add(q.name);
    else state.wanted.delete(q.name);
    writeJson(sessionStorage, WANTED_KEY, [...state.wanted]);
    renderQueues();
  }

  function onPresence(frame) {
    if (!state.queues.has(frame.queue)) return;
    const q = state.queues.get(frame.queue);
    q.open = !!frame.available;
    renderQueues();
  }

  function onQueueStatus(frame) {
    if (typeof frame.queue !== 'string') return;
    const q = ensureQueue(frame.queue);
    if (typeof frame.available === 'boolean') q.open = frame.available;
    if (typeof frame.operatorsAvailable === 'number') q.operatorsAvailable = frame.operatorsAvailable;
    if (typeof frame.waiting === 'number') q.waiting = frame.waiting;
    if (Array.isArray(frame.operators)) {
      q.operators = frame.operators.filter((o) => o && typeof o.id === 'string');
      for (const o of q.operators) state.names.set(o.id, typeof o.name === 'string' ? o.name : o.id);
    }
    renderQueues();
    for (const chat of state.chats.values()) renderTransferOptions(chat);
  }

  function toggleOverall() {
    const anyAvailable = [...state.queues.values()].some((q) => q.available);
    for (const q of state.queues.values()) {
      if (q.available === anyAvailable) setAvailable(q.name, !anyAvailable);
    }
  }

  // ------------------------------------------------------------------ offers

  function onOffer(frame) {
    if (typeof frame.chatId !== 'string') return;
    const guest = frame.guest || {};
    let offer = state.offers.get(frame.chatId);
    const isNew = !offer;
    if (isNew) {
      const accept = h('button', { type: 'button', class: 'btn btn--accept', sb: 'accept', text: t('offers.accept') });
      accept.addEventListener('click', (e) => {
        e.stopPropagation();
        acceptOffer(frame.chatId);
      });
      const el = h('li', { class: 'offer', sb: 'offer', 'data-chat': frame.chatId, tabindex: '0' },
        h('div', { class: 'offer__top' },
          h('span', { class: 'offer__guest', sb: 'offer-guest' }),
          h('span', { class: 'offer__wait', sb: 'offer-waited', title: t('offers.waitedTitle') })),
        h('div', { class: 'offer__route' },
          h('span', { text: `${t('offers.asked')} ` }),
          h('span', { class: 'offer__q', sb: 'offer-queue' }),
          h('span', { class: 'offer__on', sb: 'offer-on-label', text: ` · ${t('offers.offeredOn')} ` }),
          h('span', { class: 'offer__q', sb: 'offer-offered-on' }),
          h('span', { class: 'tag tag--widened', sb: 'offer-widened', text: t('offers.widened'), hidden: true })),
        h('p', { class: 'offer__transfer', sb: 'offer-transfer', hidden: true }),
        h('p', { class: 'offer__question', sb: 'offer-question', hidden: true }),
        h('div', { class: 'offer__page', sb: 'offer-page' }),
        h('div', { class: 'offer__actions' }, accept));
      el.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && e.target === el) {
          e.preventDefault();
          acceptOffer(frame.chatId);
        }
      });
      offer = { el, frame };
      state.offers.set(frame.chatId, offer);
      hook('offers').append(el);
    }
    offer.frame = { ...offer.frame, ...frame };
    const f = offer.frame;
    const el = offer.el;
    el.classList.remove('offer--stale');
    hook('offer-guest', el).textContent = guestLabel(guest);
    hook('offer-queue', el).textContent = f.queue || '';
    hook('offer-queue', el).title = queueTitle(f.queue);
    hook('offer-offered-on', el).textContent = f.offeredOn || f.queue || '';
    hook('offer-offered-on', el).title = queueTitle(f.offeredOn || f.queue);
    const widened = !!f.offeredOn && f.offeredOn !== f.queue;
    hook('offer-widened', el).hidden = !widened;
    el.classList.toggle('offer--widened', widened);
    el.dataset.offeredOn = f.offeredOn || '';
    const page = guest.page || '';
    hook('offer-page', el).textContent = page;
    hook('offer-page', el).title = page;
    hook('offer-page', el).hidden = !page;
    hook('offer-waited', el).textContent = waited(f.waitingSince);
    const from = typeof f.transferredByName === 'string' ? f.transferredByName
      : typeof f.transferredBy === 'string' ? operatorName(f.transferredBy) : '';
    const note = typeof f.transferNote === 'string' ? f.transferNote : '';
    const transferText = !from ? ''
      : note ? t('offers.transferredByWithNote', { operator: from, note }) : t('offers.transferredBy', { operator: from });
    hook('offer-transfer', el).textContent = transferText;
    hook('offer-transfer', el).hidden = !transferText;
    const question = typeof f.question === 'string' ? f.question : '';
    hook('offer-question', el).textContent = question;
    hook('offer-question', el).title = question;
    hook('offer-question', el).hidden = !question;
    // each part wraps the sentence so far, so a language places its own punctuation
    let label = t('offers.ariaAsked', { guest: guest.name || t('guest.default'), queue: queueTitle(f.queue) });
    if (widened) label = t('offers.ariaWidened', { text: label, queue: queueTitle(f.offeredOn) });
    if (question) label = t('offers.ariaQuestion', { text: label, question: question.slice(0, 200) });
    if (transferText) label = t('offers.ariaTransfer', { text: label, transfer: transferText });
    el.setAttribute('aria-label', t('offers.ariaAccept', { text: label }));
    renderOffersMeta();
    // an offer re-sent after a reconnect or a reload has rung already
    if (isNew && !state.rung.has(frame.chatId)) {
      state.rung.add(frame.chatId);
      ring(offer);
    }
  }

  function acceptOffer(chatId) {
    const offer = state.offers.get(chatId);
    if (!offer || offer.accepting) return;
    if (!send({ type: 'accept', chatId })) {
      toast(t('error.notConnected'));
      return;
    }
    offer.accepting = true;
    offer.userAccepted = true;
    const button = hook('accept', offer.el);
    button.disabled = true;
    button.textContent = t('offers.accepting');
  }

  function removeOffer(chatId) {
    const offer = state.offers.get(chatId);
    if (!offer) return null;
    clearInterval(offer.repeat);
    closeNotification(offer);
    const hadFocus = offer.el.contains(document.activeElement);
    const next = offer.el.nextElementSibling || offer.el.previousElementSibling;
    offer.el.remove();
    state.offers.delete(chatId);
    if (hadFocus && next) next.focus();
    renderOffersMeta();
    return offer;
  }

  function onOfferWithdrawn(frame) {
    const offer = removeOffer(frame.chatId);
    const chat = state.chats.get(frame.chatId);
    if (frame.reason === 'transferred' && chat && !chat.ended) {
      endChat(chat, chat.transferTo ? t('chat.youTransferredTo', { target: chat.transferTo }) : t('chat.youTransferred'),
        'transferred');
      return;
    }
    if (offer && offer.accepting && frame.reason === 'accepted' && !state.chats.has(frame.chatId)) {
      toast(t('toast.answeredFirst', { guest: guestName(offer.frame) }));
    }
  }

  function renderOffersMeta() {
    const count = state.offers.size;
    hook('offer-count').textContent = String(count);
    hook('offer-count').dataset.count = String(count);
    hook('offers-empty').hidden = count > 0;
    updateTitle();
  }

  const guestName = (frame) => (frame && frame.guest && frame.guest.name) || t('guest.object');

  /** A guest as the console names them: texters are marked, so nobody promises them a link or a page they cannot see. */
  const guestLabel = (guest) => (guest.channel === 'sms' ? `${t('guest.sms')} · ` : '') + (guest.name || t('guest.default'));

  // ------------------------------------------------------------------ ringing

  let audio = null;

  function unlockAudio() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try {
      if (!audio) audio = new Ctx();
      if (audio.state === 'suspended') audio.resume().catch(() => {});
    } catch (e) {
      audio = null;
    }
  }

  /** A soft two-note chime, made on the spot: no sound file to ship. */
  function chime() {
    if (!audio || audio.state !== 'running') return;
    const start = audio.currentTime + 0.01;
    [[880, 0], [1174.66, 0.16]].forEach(([freq, delay]) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + delay);
      gain.gain.exponentialRampToValueAtTime(0.2, start + delay + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + delay + 0.35);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + delay);
      osc.stop(start + delay + 0.4);
    });
  }

  function ring(offer) {
    if (!offer.repeat) offer.repeat = setInterval(() => ringAgain(offer), RING_REPEAT_MS);
    state.rings += 1;
    consoleView.dataset.rings = String(state.rings);
    if (audio && audio.state !== 'running') unlockAudio();
    if (!audio || audio.state !== 'running') {
      if (!state.soundHintShown) {
        state.soundHintShown = true;
        toast(t('toast.silentRing'));
      }
    } else {
      chime();
    }
    const el = offer.el;
    el.classList.add('offer--new');
    setTimeout(() => el.classList.remove('offer--new'), 2400);
    if ('Notification' in window && Notification.permission === 'granted' && (document.hidden || !document.hasFocus())) {
      try {
        const f = offer.frame;
        const n = new Notification(t('offers.notifyTitle', { guest: guestName(f) }), {
          body: f.offeredOn && f.offeredOn !== f.queue
            ? t('offers.notifyBodyWidened', { queue: queueTitle(f.queue), offeredOn: queueTitle(f.offeredOn) })
            : t('offers.notifyBody', { queue: queueTitle(f.queue) }),
          tag: `switchboard-${f.chatId}`,
        });
        n.onclick = () => {
          window.focus();
          if (offer.el.isConnected) offer.el.focus();
          n.close();
        };
        offer.notification = n;
      } catch (e) {
        // some browsers only allow notifications from a service worker
      }
    }
  }

  /** Rings again while the offer is still out: a ring missed once is not missed for good. */
  function ringAgain(offer) {
    if (state.offers.get(offer.frame.chatId) !== offer) {
      clearInterval(offer.repeat);
      return;
    }
    state.ringRepeats = (state.ringRepeats || 0) + 1;
    consoleView.dataset.ringRepeats = String(state.ringRepeats);
    if (audio && audio.state === 'running') chime();
  }

  /** One soft note: a guest wrote in a chat the operator is not looking at. */
  function messageTone() {
    state.messageTones = (state.messageTones || 0) + 1;
    consoleView.dataset.messageTones = String(state.messageTones);
    if (!audio || audio.state !== 'running') return;
    const start = audio.currentTime + 0.01;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = 660;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.12, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start(start);
    osc.stop(start + 0.3);
  }

  function closeNotification(offer) {
    if (offer && offer.notification) {
      try { offer.notification.close(); } catch (e) { /* gone */ }
      offer.notification = null;
    }
  }

  function askNotificationPermission() {
    if (!('Notification' in window) || Notification.permission !== 'default') return;
    try {
      const asked = Notification.requestPermission(updateNotifyButton);
      if (asked && asked.then) asked.then(updateNotifyButton, updateNotifyButton);
    } catch (e) {
      // older browsers without the promise form
    }
  }

  function updateNotifyButton() {
    const button = hook('notify');
    button.hidden = !('Notification' in window) || Notification.permission !== 'default';
  }

  function updateTitle() {
    if (!state.session) return;
    const offers = state.offers.size;
    let unread = 0;
    for (const chat of state.chats.values()) unread += chat.unread;
    const parts = [];
    if (offers) parts.push(tn('title.waiting', offers));
    if (unread) parts.push(tn('title.unread', unread));
    document.title = parts.length ? t('title.consoleWithCounts', { counts: parts.join(', ') }) : t('title.console');
  }

  // ------------------------------------------------------------------ chats

  function newChat(id) {
    const chat = {
      id,
      guest: {},
      queue: null,
      messages: new Map(), // seq -> row
      pending: new Map(), // clientId -> {row, text}
      timeline: [],
      timelineKeys: new Set(),
      unread: 0,
      ended: false,
      synced: true,
      typingOut: false,
      typingSentAt: 0,
      typingIdleTimer: 0,
      typingShownTimer: 0,
      transferTo: null,
      suggestions: [],
      suggestionIndex: 0,
      els: {},
    };
    buildChat(chat);
    state.chats.set(id, chat);
    state.order.push(id);
    return chat;
  }

  function buildChat(chat) {
    const id = chat.id;
    const tab = h('button', {
      type: 'button', role: 'tab', class: 'tab', sb: 'chat-tab', 'data-chat': id,
      id: `tab-${id}`, 'aria-controls': `pane-${id}`, 'aria-selected': 'false', tabindex: '-1',
    },
    h('span', { class: 'tab__name', sb: 'tab-name' }),
    h('span', { class: 'tab__typing', sb: 'tab-typing', 'aria-label': t('chat.typingLabel'), hidden: true },
      h('i'), h('i'), h('i')),
    h('span', { class: 'badge', sb: 'unread', hidden: true }));
    tab.addEventListener('click', () => activate(id, false));
    tab.addEventListener('keydown', onTabKey);

    const input = h('textarea', {
      sb: 'input', class: 'composer__input', rows: '2', maxlength: String(MAX_TEXT),
      placeholder: t('chat.placeholder'), 'aria-autocomplete': 'list',
    });
    const sendButton = h('button', { type: 'button', class: 'btn btn--primary', sb: 'send', text: t('chat.send') });
    const suggestions = h('ul', { class: 'suggest', sb: 'canned-suggestions', role: 'listbox', hidden: true,
      'aria-label': t('canned.title') });
    const target = h('select', { sb: 'transfer-target', class: 'transfer__target', 'aria-label': t('transfer.to') });
    const otherOperator = h('input', { type: 'text', sb: 'transfer-operator', class: 'transfer__other',
      placeholder: t('transfer.operatorPlaceholder'), 'aria-label': t('transfer.operatorLabel'), autocapitalize: 'off',
      spellcheck: 'false', hidden: true });
    const transferButton = h('button', { type: 'submit', class: 'btn', sb: 'transfer', text: t('transfer.submit') });
    const transferNote = h('input', { type: 'text', sb: 'transfer-note', class: 'transfer__note', maxlength: '2000',
      placeholder: t('transfer.notePlaceholder'), 'aria-label': t('transfer.noteLabel') });
    const transferForm = h('form', { class: 'transfer', sb: 'transfer-form' }, target, otherOperator, transferNote,
      transferButton);
    const noteInput = h('textarea', { sb: 'note-input', class: 'chat-note__input', rows: '2', maxlength: '2000',
      'aria-label': t('note.label'), placeholder: t('note.placeholder') });
    const noteButton = h('button', { type: 'submit', class: 'btn', sb: 'note-add', text: t('note.add') });
    const noteForm = h('form', { class: 'chat-note', sb: 'note-form' }, noteInput, noteButton);
    const closeButton = h('button', { type: 'button', class: 'btn btn--danger', sb: 'close', text: t('chat.end') });
    const resolution = h('select', { sb: 'resolution', class: 'resolution', 'aria-label': t('resolution.label') },
      h('option', { value: '', text: t('resolution.choose') }),
      ...RESOLUTIONS.map(([code, key]) => h('option', { value: code, text: t(key) })));
    const resolutionStatus = h('span', { class: 'resolution__status', sb: 'resolution-status', role: 'status' });
    const transcriptButton = h('button', { type: 'button', class: 'btn', sb: 'transcript', text: t('chat.transcript'),
      hidden: true });
    const dismissButton = h('button', { type: 'button', class: 'btn', sb: 'dismiss', text: t('chat.closeTab'), hidden: true });
    const pageLink = h('a', { class: 'chat__page', sb: 'chat-page', target: '_blank', rel: 'noopener noreferrer' });

    const pane = h('section', {
      class: 'chat', sb: 'chat', 'data-chat': id, role: 'tabpanel', id: `pane-${id}`,
      'aria-labelledby': `tab-${id}`, hidden: true,
    },
    h('header', { class: 'chat__head' },
      h('div', { class: 'chat__who' },
        h('h2', { class: 'chat__guest', sb: 'chat-guest' }),
        h('div', { class: 'chat__facts' },
          h('span', { class: 'chat__queue', sb: 'chat-queue' }),
          h('span', { class: 'chat__email', sb: 'chat-email' }),
          pageLink)),
      h('div', { class: 'chat__actions' }, transferForm, resolution, resolutionStatus, closeButton, transcriptButton,
        dismissButton)),
    h('div', { class: 'chat__body' },
      h('div', { class: 'chat__conversation' },
        h('ol', { class: 'messages', sb: 'messages', 'aria-live': 'polite', 'aria-label': t('chat.messages') }),
        h('p', { class: 'chat__typing', sb: 'typing', hidden: true }),
        h('p', { class: 'chat__error', sb: 'chat-error', role: 'alert', hidden: true }),
        h('p', { class: 'chat__ended', sb: 'chat-ended', hidden: true }),
        h('div', { class: 'composer' }, suggestions, input, sendButton)),
      h('aside', { class: 'chat__side', 'aria-label': t('timeline.label') },
        h('h3', { class: 'chat__side-title', text: t('timeline.title') }),
        h('ol', { class: 'timeline', sb: 'timeline' }),
        noteForm)));

    input.addEventListener('keydown', (e) => onInputKey(chat, e));
    input.addEventListener('input', () => onInputChange(chat));
    input.addEventListener('blur', () => setTimeout(() => hideSuggestions(chat), 150));
    sendButton.addEventListener('click', () => sendMessage(chat));
    target.addEventListener('change', () => {
      otherOperator.hidden = target.value !== 'other';
      if (!otherOperator.hidden) otherOperator.focus();
    });
    transferForm.addEventListener('submit', (e) => {
      e.preventDefault();
      transfer(chat);
    });
    closeButton.addEventListener('click', () => closeChat(chat));
    resolution.addEventListener('change', () => resolveChat(chat));
    noteForm.addEventListener('submit', (e) => {
      e.preventDefault();
      addNote(chat);
    });
    transcriptButton.addEventListener('click', () => openTranscript(chat.id));
    dismissButton.addEventListener('click', () => dismissChat(chat));
    pane.addEventListener('click', () => clearUnread(chat));

    chat.els = {
      tab, pane, input, sendButton, suggestions, target, otherOperator, transferButton, closeButton,
      transcriptButton, dismissButton, pageLink, transferForm, resolution, resolutionStatus, transferNote, noteInput,
      messages: hook('messages', pane),
      typing: hook('typing', pane),
      error: hook('chat-error', pane),
      endedNote: hook('chat-ended', pane),
      timeline: hook('timeline', pane),
      unread: hook('unread', tab),
      tabTyping: hook('tab-typing', tab),
    };
    hook('tabs').append(tab);
    hook('panes').append(pane);
    renderTransferOptions(chat);
  }

  function onAccepted(frame) {
    if (typeof frame.chatId !== 'string') return;
    const offer = removeOffer(frame.chatId);
    let chat = state.chats.get(frame.chatId);
    const fresh = !chat;
    if (!chat) chat = newChat(frame.chatId);
    chat.synced = true;
    if (chat.ended) reopenChat(chat);
    chat.guest = frame.guest || (offer && offer.frame.guest) || chat.guest || {};
    chat.queue = frame.queue || (offer && offer.frame.queue) || chat.queue;
    chat.offeredOn = offer && offer.frame.offeredOn;
    renderChatHeader(chat);
    for (const m of Array.isArray(frame.history) ? frame.history : []) addMessage(chat, m, false);
    if (Array.isArray(frame.timeline)) {
      chat.timeline = [];
      chat.timelineKeys.clear();
      chat.els.timeline.replaceChildren();
      for (const event of frame.timeline) addTimelineEvent(chat, event);
    }
    renderTimelineEmpty(chat);
    rememberRecent(chat);
    // a chat accepted by this person now comes to the front; one re-sent after a reload stays where it was
    const restoring = state.restoreActive === chat.id;
    if (restoring) state.restoreActive = null;
    if ((offer && offer.userAccepted) || restoring || !state.active || !state.chats.has(state.active)
        || state.active === chat.id) {
      activate(chat.id, !!(offer && offer.userAccepted));
    } else if (fresh) {
      renderTabs();
    }
    renderChatsMeta();
    renderComposerState();
  }

  function renderChatHeader(chat) {
    const g = chat.guest || {};
    const name = guestLabel(g);
    chat.els.tab.querySelector('[data-sb="tab-name"]').textContent = name;
    hook('chat-guest', chat.els.pane).textContent = name;
    // a transfer to a queue moves the chat there; the timeline remembers where the guest first asked
    const asked = chat.timeline.find((e) => e.kind === 'asked');
    const first = asked && asked.queue && asked.queue !== chat.queue
      ? ` · ${t('chat.firstAsked', { queue: queueTitle(asked.queue) })}` : '';
    const answered = chat.offeredOn && chat.offeredOn !== chat.queue
      ? ` · ${t('chat.answeredOn', { queue: queueTitle(chat.offeredOn) })}` : '';
    hook('chat-queue', chat.els.pane).textContent = chat.queue
      ? `${t('chat.queue', { queue: queueTitle(chat.queue) })}${answered}${first}` : '';
    const email = hook('chat-email', chat.els.pane);
    email.textContent = g.email || '';
    email.hidden = !g.email;
    const link = chat.els.pageLink;
    const url = safeHttpUrl(g.page);
    link.textContent = g.page || '';
    link.title = g.page || '';
    link.hidden = !g.page;
    if (url) link.href = url;
    else link.removeAttribute('href');
    chat.els.input.setAttribute('aria-label', t('chat.replyTo', { guest: name }));
  }

  function activate(id, focusInput) {
    const chat = state.chats.get(id);
    if (!chat) return;
    state.active = id;
    writeJson(sessionStorage, ACTIVE_KEY, id);
    for (const other of state.chats.values()) {
      const on = other.id === id;
      other.els.tab.setAttribute('aria-selected', on ? 'true' : 'false');
      other.els.tab.tabIndex = on ? 0 : -1;
      other.els.tab.classList.toggle('tab--active', on);
      other.els.pane.hidden = !on;
    }
    clearUnread(chat);
    scrollToEnd(chat);
    renderChatsMeta();
    if (focusInput && !chat.ended) chat.els.input.focus();
  }

  function renderTabs() {
    if (state.active && state.chats.has(state.active)) {
      activate(state.active, false);
    }
  }

  function renderChatsMeta() {
    hook('no-chats').hidden = state.chats.size > 0;
    hook('tabs').hidden = state.chats.size === 0;
    updateTitle();
  }

  function clearUnread(chat) {
    if (!chat.unread) return;
    chat.unread = 0;
    renderUnread(chat);
  }

  function renderUnread(chat) {
    chat.els.unread.textContent = String(chat.unread);
    chat.els.unread.hidden = chat.unread === 0;
    chat.els.unread.setAttribute('aria-label', tn('chat.unread', chat.unread));
    chat.els.tab.classList.toggle('tab--unread', chat.unread > 0);
    updateTitle();
  }

  function onTabKey(e) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const ids = state.order;
    const at = ids.indexOf(state.active);
    const next = ids[(at + (e.key === 'ArrowRight' ? 1 : -1) + ids.length) % ids.length];
    activate(next, false);
    state.chats.get(next).els.tab.focus();
  }

  /** Alt+N: the next chat, those with unread messages first. */
  function nextChat() {
    if (!state.order.length) return;
    const ids = state.order;
    const at = ids.indexOf(state.active);
    const rotated = [...ids.slice(at + 1), ...ids.slice(0, at + 1)];
    const unread = rotated.find((id) => state.chats.get(id).unread > 0 && id !== state.active);
    const next = unread || rotated[0];
    activate(next, true);
    const chat = state.chats.get(next);
    if (chat.ended) chat.els.tab.focus();
  }

  function scrollToEnd(chat) {
    const list = chat.els.messages;
    list.scrollTop = list.scrollHeight;
  }

  // ---- messages

  function messageRow(m, pending) {
    const from = m.from === 'guest' || m.from === 'system' ? m.from : 'operator';
    const row = h('li', { class: `msg msg--${from}${pending ? ' msg--pending' : ''}`, sb: 'message-row' });
    if (from !== 'system') {
      row.append(h('div', { class: 'msg__meta' },
        h('span', { class: 'msg__name', text: m.name || (from === 'guest' ? t('guest.default') : t('operator.default')) }),
        h('time', { class: 'msg__time', sb: 'message-time', datetime: m.at || null,
          text: m.at ? clockTime(m.at) : t('chat.sending') })));
    }
    const text = h('div', { class: 'msg__text', sb: 'message', 'data-from': from });
    text.replaceChildren(...linkified(typeof m.text === 'string' ? m.text : ''));
    if (m.seq != null) text.dataset.seq = String(m.seq);
    row.append(text);
    if (from === 'system' && m.at) row.append(h('time', { class: 'msg__time', sb: 'message-time', datetime: m.at, text: clockTime(m.at) }));
    return row;
  }

  function insertRow(chat, row, seq) {
    const list = chat.els.messages;
    const nearEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    // rows with a number stay in number order; unnumbered (sending) rows stay last
    let before = null;
    if (seq != null) {
      for (const el of list.children) {
        const s = Number(el.dataset.seq);
        if (!el.dataset.seq || s > seq) {
          before = el;
          break;
        }
      }
      row.dataset.seq = String(seq);
    }
    list.insertBefore(row, before);
    if (nearEnd || seq == null) scrollToEnd(chat);
  }

  function addMessage(chat, m, live) {
    if (!m || typeof m.seq !== 'number') return;
    if (chat.messages.has(m.seq)) return;
    // our own message may come back (another console of ours, or a history) before its ack
    if (m.from === 'operator') {
      for (const [clientId, p] of chat.pending) {
        if (p.text === m.text) {
          chat.pending.delete(clientId);
          p.row.remove();
          break;
        }
      }
    }
    const row = messageRow(m, false);
    chat.messages.set(m.seq, row);
    insertRow(chat, row, m.seq);
    if (live && m.from !== 'operator') {
      const looking = state.active === chat.id && !document.hidden;
      if (!looking) {
        chat.unread += 1;
        renderUnread(chat);
      }
    }
  }

  function onMessage(frame) {
    const chat = state.chats.get(frame.chatId);
    if (!chat) return;
    if (frame.from === 'guest') showTyping(chat, false);
    const fresh = !chat.messages.has(frame.seq);
    addMessage(chat, frame, true);
    if (frame.from === 'guest' && fresh && !chat.ended && (document.hidden || state.active !== chat.id)) messageTone();
  }

  function sendMessage(chat) {
    if (chat.ended) return;
    const input = chat.els.input;
    const text = input.value.replace(/\s+$/, '');
    if (!text.trim()) return;
    if (text.length > MAX_TEXT) {
      showChatError(chat, t('chat.tooLong', { max: MAX_TEXT }));
      return;
    }
    const clientId = newClientId();
    if (!send({ type: 'message', chatId: chat.id, text, clientId })) {
      showChatError(chat, t('chat.notSent'));
      return;
    }
    const row = messageRow({ from: 'operator', name: state.session.operator.name, text }, true);
    chat.pending.set(clientId, { row, text });
    insertRow(chat, row, null);
    input.value = '';
    hideSuggestions(chat);
    stopTyping(chat);
    showChatError(chat, null);
    input.focus();
  }

  function onAck(frame) {
    const chat = state.chats.get(frame.chatId);
    if (!chat) return;
    const p = chat.pending.get(frame.clientId);
    if (!p) return;
    chat.pending.delete(frame.clientId);
    p.row.remove();
    if (chat.messages.has(frame.seq)) return;
    const row = messageRow({
      seq: frame.seq, from: 'operator', name: state.session.operator.name, text: p.text, at: new Date().toISOString(),
    }, false);
    chat.messages.set(frame.seq, row);
    insertRow(chat, row, frame.seq);
  }

  // ---- typing

  function onTyping(frame) {
    const chat = state.chats.get(frame.chatId);
    if (chat) showTyping(chat, !!frame.typing);
  }

  function showTyping(chat, typing) {
    clearTimeout(chat.typingShownTimer);
    const name = (chat.guest && chat.guest.name) || t('guest.subject');
    chat.els.typing.textContent = typing ? t('chat.typing', { guest: name }) : '';
    chat.els.typing.hidden = !typing;
    chat.els.tabTyping.hidden = !typing;
    if (typing) chat.typingShownTimer = setTimeout(() => showTyping(chat, false), TYPING_SHOWN_MAX_MS);
  }

  function onInputChange(chat) {
    updateSuggestions(chat);
    if (chat.ended) return;
    if (!chat.els.input.value) {
      stopTyping(chat);
      return;
    }
    const now = Date.now();
    if (!chat.typingOut || now - chat.typingSentAt > TYPING_REPEAT_MS) {
      if (send({ type: 'typing', chatId: chat.id, typing: true })) {
        chat.typingOut = true;
        chat.typingSentAt = now;
      }
    }
    clearTimeout(chat.typingIdleTimer);
    chat.typingIdleTimer = setTimeout(() => stopTyping(chat), TYPING_IDLE_MS);
  }

  function stopTyping(chat) {
    clearTimeout(chat.typingIdleTimer);
    if (chat.typingOut) {
      chat.typingOut = false;
      send({ type: 'typing', chatId: chat.id, typing: false });
    }
  }

  function onInputKey(chat, e) {
    const open = !chat.els.suggestions.hidden && chat.suggestions.length > 0;
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = chat.suggestions.length;
        chat.suggestionIndex = (chat.suggestionIndex + (e.key === 'ArrowDown' ? 1 : -1) + n) % n;
        renderSuggestions(chat);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        insertCanned(chat, chat.suggestions[chat.suggestionIndex]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        hideSuggestions(chat);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendMessage(chat);
    }
  }

  // ---- canned responses in the box

  /** The `/abc` being typed just before the caret, if any. */
  function cannedQuery(input) {
    const caret = input.selectionStart;
    if (caret == null || caret !== input.selectionEnd) return null;
    const before = input.value.slice(0, caret);
    const m = /(^|\s)\/([a-z0-9-]{0,32})$/i.exec(before);
    if (!m) return null;
    return { start: caret - m[2].length - 1, end: caret, q: m[2].toLowerCase() };
  }

  function updateSuggestions(chat) {
    const query = chat.ended ? null : cannedQuery(chat.els.input);
    if (!query || !state.canned.length) {
      hideSuggestions(chat);
      return;
    }
    const rank = (r) => (r.queue == null ? 0 : r.queue === chat.queue || r.queue === chat.offeredOn ? 1 : 2);
    const matches = state.canned
      .filter((r) => r.shortcut.startsWith(query.q) || (query.q.length > 1 && r.shortcut.includes(query.q)))
      .sort((a, b) => (a.shortcut.startsWith(query.q) ? 0 : 1) - (b.shortcut.startsWith(query.q) ? 0 : 1)
        || rank(a) - rank(b) || a.shortcut.localeCompare(b.shortcut))
      .slice(0, MAX_SUGGESTIONS);
    if (!matches.length) {
      hideSuggestions(chat);
      return;
    }
    chat.suggestions = matches;
    chat.suggestionQuery = query;
    chat.suggestionIndex = Math.min(chat.suggestionIndex, matches.length - 1);
    renderSuggestions(chat);
  }

  function renderSuggestions(chat) {
    const list = chat.els.suggestions;
    list.replaceChildren(...chat.suggestions.map((r, i) => {
      const option = h('li', {
        role: 'option', class: `suggest__item${i === chat.suggestionIndex ? ' suggest__item--on' : ''}`,
        sb: 'canned-option', 'data-id': r.id, 'aria-selected': i === chat.suggestionIndex ? 'true' : 'false',
      },
      h('span', { class: 'suggest__key', text: `/${r.shortcut}` }),
      h('span', { class: 'suggest__scope', text: r.queue ? queueTitle(r.queue) : t('canned.mine') }),
      h('span', { class: 'suggest__text', text: r.text }));
      option.addEventListener('mousedown', (e) => {
        e.preventDefault();
        insertCanned(chat, r);
      });
      return option;
    }));
    list.hidden = false;
    // a textarea cannot be a combobox (no aria-expanded on it): it names the list it controls instead
    if (!list.id) list.id = `suggest-${chat.id}`;
    chat.els.input.setAttribute('aria-controls', list.id);
  }

  function hideSuggestions(chat) {
    chat.suggestions = [];
    chat.suggestionIndex = 0;
    chat.els.suggestions.hidden = true;
    chat.els.suggestions.replaceChildren();
    chat.els.input.removeAttribute('aria-controls');
  }

  function insertCanned(chat, response) {
    const input = chat.els.input;
    const query = cannedQuery(input) || chat.suggestionQuery;
    if (!response || !query) return;
    const value = input.value;
    input.value = value.slice(0, query.start) + response.text + value.slice(query.end);
    const caret = query.start + response.text.length;
    input.setSelectionRange(caret, caret);
    hideSuggestions(chat);
    input.focus();
    onInputChange(chat);
  }

  // ---- transfer, close, end

  function renderTransferOptions(chat) {
    const select = chat.els.target;
    const previous = select.value;
    const queueNames = state.queueTitles.size ? [...state.queueTitles.keys()] : [...state.queues.keys()];
    const me = state.session && state.session.operator.id;
    const operators = new Map();
    for (const q of state.queues.values()) {
      for (const o of q.operators) {
        if (o.id !== me) operators.set(o.id, o.name || o.id);
      }
    }
    const options = [h('option', { value: '', text: t('transfer.choose') })];
    const queues = h('optgroup', { label: t('transfer.aQueue') },
      ...queueNames.map((name) => h('option', { value: `queue:${name}`, text: queueTitle(name) })));
    options.push(queues);
    const people = h('optgroup', { label: t('transfer.anOperator') },
      ...[...operators].sort((a, b) => a[1].localeCompare(b[1]))
        .map(([id, name]) => h('option', { value: `operator:${id}`, text: t('transfer.available', { operator: name }) })),
      h('option', { value: 'other', text: t('transfer.other') }));
    options.push(people);
    select.replaceChildren(...options);
    if ([...select.options].some((o) => o.value === previous)) select.value = previous;
    chat.els.otherOperator.hidden = select.value !== 'other';
  }

  function transfer(chat) {
    if (chat.ended) return;
    const value = chat.els.target.value;
    let frame = null;
    let label = '';
    if (value.startsWith('queue:')) {
      const queue = value.slice('queue:'.length);
      frame = { type: 'transfer', chatId: chat.id, queue };
      label = queueTitle(queue);
    } else if (value.startsWith('operator:')) {
      const operator = value.slice('operator:'.length);
      frame = { type: 'transfer', chatId: chat.id, operator };
      label = state.names.get(operator) || operator;
    } else if (value === 'other') {
      const operator = chat.els.otherOperator.value.trim();
      if (!operator) {
        showChatError(chat, t('transfer.needOperator'));
        chat.els.otherOperator.focus();
        return;
      }
      frame = { type: 'transfer', chatId: chat.id, operator };
      label = state.names.get(operator) || operator;
    } else {
      showChatError(chat, t('transfer.needTarget'));
      chat.els.target.focus();
      return;
    }
    const note = chat.els.transferNote.value.trim();
    if (note) frame.note = note;
    if (!send(frame)) {
      showChatError(chat, t('error.notConnected'));
      return;
    }
    stopTyping(chat);
    chat.transferTo = label;
    chat.els.transferButton.disabled = true;
    chat.els.transferButton.textContent = t('transfer.transferring');
    showChatError(chat, null);
  }

  function closeChat(chat) {
    if (chat.ended) return;
    if (!send({ type: 'close', chatId: chat.id })) {
      showChatError(chat, t('error.notConnected'));
      return;
    }
    stopTyping(chat);
    chat.els.closeButton.disabled = true;
  }

  /** An internal note: staff only; it comes back as a timeline step. */
  function addNote(chat) {
    const text = chat.els.noteInput.value.trim();
    if (!text) {
      chat.els.noteInput.focus();
      return;
    }
    if (!send({ type: 'note', chatId: chat.id, text })) {
      showChatError(chat, t('error.notConnected'));
      return;
    }
    chat.els.noteInput.value = '';
  }

  /** The resolution code, sent as soon as it is chosen (during the chat or after it ended). */
  function resolveChat(chat) {
    const code = chat.els.resolution.value;
    if (!code) return;
    chat.els.resolutionStatus.textContent = send({ type: 'resolve', chatId: chat.id, resolution: code })
      ? t('resolution.saving') : t('resolution.notConnected');
  }

  function onResolved(frame) {
    const chat = state.chats.get(frame.chatId);
    if (!chat) return;
    chat.els.resolution.value = frame.resolution;
    chat.els.resolutionStatus.textContent = t('resolution.saved');
  }

  function onClosed(frame) {
    const chat = state.chats.get(frame.chatId);
    if (!chat) {
      removeOffer(frame.chatId);
      return;
    }
    const name = (chat.guest && chat.guest.name) || t('guest.subject');
    let note = t('chat.ended');
    if (frame.by === 'guest') note = t('chat.guestLeft', { guest: name });
    else if (frame.by === 'operator') note = t('chat.youEnded');
    chat.closedBy = frame.by;
    endChat(chat, note, 'closed');
  }

  function endChat(chat, note, why) {
    chat.ended = true;
    chat.synced = true;
    stopTyping(chat);
    showTyping(chat, false);
    hideSuggestions(chat);
    chat.els.pane.classList.add('chat--ended');
    chat.els.tab.classList.add('tab--ended');
    chat.els.pane.dataset.state = why || 'ended';
    chat.els.endedNote.textContent = note;
    chat.els.endedNote.hidden = false;
    chat.els.input.disabled = true;
    chat.els.sendButton.disabled = true;
    chat.els.transferForm.hidden = true;
    chat.els.closeButton.hidden = true;
    // a chat that left this operator (transferred, returned) is resolved by whoever ends it
    chat.els.resolution.hidden = why !== 'closed';
    chat.els.resolutionStatus.hidden = why !== 'closed';
    chat.els.noteInput.closest('form').hidden = why !== 'closed';
    chat.els.transcriptButton.hidden = false;
    chat.els.dismissButton.hidden = false;
    showChatError(chat, null);
    for (const p of chat.pending.values()) p.row.classList.add('msg--failed');
    refreshTimeline(chat);
  }

  /** The last steps (closed, transferred) are not sent live once the chat has left us: read the record. */
  async function refreshTimeline(chat) {
    try {
      const r = await api('GET', `/api/v1/chats/${encodeURIComponent(chat.id)}`);
      if (r.ok && r.json && Array.isArray(r.json.timeline) && state.chats.get(chat.id) === chat) {
        for (const event of r.json.timeline) addTimelineEvent(chat, event);
      }
    } catch (e) {
      // the timeline keeps what it had
    }
  }

  /** A chat that came back to us (a transfer back, or a resync after we thought it gone). */
  function reopenChat(chat) {
    chat.ended = false;
    chat.els.pane.classList.remove('chat--ended');
    chat.els.tab.classList.remove('tab--ended');
    delete chat.els.pane.dataset.state;
    chat.els.endedNote.hidden = true;
    chat.els.input.disabled = false;
    chat.els.sendButton.disabled = false;
    chat.els.transferForm.hidden = false;
    chat.els.closeButton.hidden = false;
    chat.els.closeButton.disabled = false;
    chat.els.transferButton.disabled = false;
    chat.els.transferButton.textContent = t('transfer.submit');
    chat.els.target.value = '';
    chat.els.otherOperator.value = '';
    chat.els.otherOperator.hidden = true;
    chat.els.transcriptButton.hidden = true;
    chat.els.dismissButton.hidden = true;
    chat.transferTo = null;
  }

  function dismissChat(chat) {
    const at = state.order.indexOf(chat.id);
    state.order.splice(at, 1);
    state.chats.delete(chat.id);
    clearTimeout(chat.typingShownTimer);
    chat.els.tab.remove();
    chat.els.pane.remove();
    if (state.active === chat.id) {
      state.active = null;
      const next = state.order[Math.min(at, state.order.length - 1)];
      if (next) activate(next, true);
      else writeJson(sessionStorage, ACTIVE_KEY, null);
    }
    renderChatsMeta();
  }

  function showChatError(chat, text) {
    chat.els.error.textContent = text || '';
    chat.els.error.hidden = !text;
  }

  function renderComposerState() {
    for (const chat of state.chats.values()) {
      chat.els.sendButton.disabled = chat.ended || !connected;
    }
  }

  // ---- timeline

  const TIMELINE_TEXT = {
    asked: (e) => t('timeline.asked', { queue: e.queue || '?' }),
    offered: (e) => t('timeline.offered', { queue: e.queue || '?' }),
    widened: (e) => t('timeline.widened', { queue: e.queue || '?' }),
    accepted: (e) => (e.queue ? t('timeline.acceptedOn', { operator: operatorName(e.operator), queue: e.queue })
      : t('timeline.accepted', { operator: operatorName(e.operator) })),
    transferred: (e) => {
      const target = e.operator ? operatorName(e.operator) : e.queue || t('timeline.aQueue');
      return e.text ? t('timeline.transferredWithNote', { target, note: e.text }) : t('timeline.transferred', { target });
    },
    note: (e) => t('timeline.note', { operator: operatorName(e.operator), text: e.text || '' }),
    returned: (e) => (e.operator
      ? t('timeline.returnedLost', { queue: e.queue || t('timeline.theQueue'), operator: operatorName(e.operator) })
      : t('timeline.returned', { queue: e.queue || t('timeline.theQueue') })),
    // the step names the operator who held the chat, not who ended it; the closed frame told us that
    closed: (e, chat) => {
      if (chat && chat.closedBy === 'guest') return t('timeline.closedByGuest');
      if (chat && chat.closedBy === 'operator') {
        return t('timeline.closedBy', { operator: operatorName(e.operator || state.session.operator.id) });
      }
      return t('timeline.closed');
    },
    abandoned: () => t('timeline.abandoned'),
    missed: () => t('timeline.missed'),
  };

  function operatorName(id) {
    if (!id) return t('operator.someone');
    return state.names.get(id) || id;
  }

  function addTimelineEvent(chat, event) {
    if (!event || typeof event.kind !== 'string') return;
    const key = `${event.at}|${event.kind}|${event.queue}|${event.operator}|${event.text || ''}`;
    if (chat.timelineKeys.has(key)) return;
    chat.timelineKeys.add(key);
    chat.timeline.push(event);
    const describe = (e) => (TIMELINE_TEXT[e.kind] || ((x) => x.kind))(e, chat);
    const li = h('li', { class: `timeline__step timeline__step--${event.kind.replace(/[^a-z-]/g, '')}`,
      sb: 'timeline-event', 'data-kind': event.kind },
    h('span', { class: 'timeline__what', text: describe(event) }),
    h('time', { class: 'timeline__at', datetime: event.at || null,
      text: event.at ? ` ${t('timeline.at', { time: clockTime(event.at) })}` : '' }));
    const list = chat.els.timeline;
    // keep time order when a live step overtakes a stored one
    const when = parseTime(event.at);
    let before = null;
    if (when) {
      for (const el of list.children) {
        const other = parseTime(el.querySelector('time').getAttribute('datetime'));
        if (other && other > when) {
          before = el;
          break;
        }
      }
    }
    list.insertBefore(li, before);
    renderTimelineEmpty(chat);
    if (event.kind === 'asked') renderChatHeader(chat);
  }

  function renderTimelineEmpty(chat) {
    chat.els.pane.classList.toggle('chat--no-timeline', chat.timeline.length === 0);
  }

  function onTimeline(frame) {
    const chat = state.chats.get(frame.chatId);
    if (chat) addTimelineEvent(chat, frame.event);
  }

  // ---- errors

  /** The console's own words for the server's error codes; the server's message stays as it is. */
  const ERROR_KEYS = new Map([
    ['queue_unavailable', 'error.queueUnavailable'],
    ['unknown_queue', 'error.unknownQueue'],
    ['forbidden', 'error.forbidden'],
    ['not_found', 'error.notFound'],
    ['rate_limited', 'error.rateLimited'],
    ['too_large', 'error.tooLarge'],
    ['unavailable', 'error.unavailable'],
  ]);

  const errorText = (code) => (ERROR_KEYS.has(code) ? t(ERROR_KEYS.get(code)) : null);

  function onError(frame) {
    const chatId = typeof frame.chatId === 'string' ? frame.chatId : null;
    const offer = chatId ? state.offers.get(chatId) : null;
    if (frame.code === 'already_taken') {
      // offer_withdrawn may have come first and said so already
      const removed = removeOffer(chatId);
      if (removed) toast(t('toast.answeredFirst', { guest: guestName(removed.frame) }));
      return;
    }
    if (offer && offer.accepting) {
      offer.accepting = false;
      const button = hook('accept', offer.el);
      button.disabled = false;
      button.textContent = t('offers.accept');
      if (frame.code === 'not_found' || frame.code === 'forbidden') removeOffer(chatId);
      toast(frame.message || errorText(frame.code) || t('error.acceptFailed'));
      return;
    }
    const chat = chatId ? state.chats.get(chatId) : null;
    if (chat) {
      if (chat.transferTo) {
        chat.transferTo = null;
        chat.els.transferButton.disabled = false;
        chat.els.transferButton.textContent = t('transfer.submit');
      }
      chat.els.closeButton.disabled = false;
      const text = errorText(frame.code) || frame.message || t('error.generic');
      showChatError(chat, frame.message && errorText(frame.code)
        ? t('error.withDetail', { text, detail: frame.message }) : text);
      return;
    }
    if (frame.code === 'unauthorized') return; // the close with 4401 follows
    let reverted = false;
    for (const q of state.queues.values()) {
      if (q.pending != null) {
        q.pending = null;
        reverted = true;
      }
    }
    if (reverted) renderQueues();
    toast(frame.message || errorText(frame.code) || t('error.unknown'));
  }

  // ------------------------------------------------------------------ toasts

  function toast(text) {
    const box = hook('toasts');
    const el = h('div', { class: 'toast', sb: 'toast', role: 'status', text });
    box.append(el);
    while (box.children.length > 3) box.firstElementChild.remove();
    setTimeout(() => el.remove(), 6000);
  }

  // ------------------------------------------------------------------ inbox (offline messages)

  async function loadInbox() {
    if (!state.session) return;
    try {
      const r = await api('GET', '/api/v1/offline');
      if (r.ok && r.json && Array.isArray(r.json.messages)) {
        state.inbox = r.json.messages;
        renderInbox();
      }
    } catch (e) {
      // the next poll tries again
    }
  }

  function renderInbox() {
    const list = hook('inbox');
    const open = state.inbox.filter((m) => !m.done)
      .sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
    const done = state.inbox.filter((m) => m.done)
      .sort((a, b) => String(b.doneAt || '').localeCompare(String(a.doneAt || ''))).slice(0, 10);
    list.replaceChildren(...open.map(inboxItem), ...done.map(inboxItem));
    hook('inbox-count').textContent = String(open.length);
    hook('inbox-count').dataset.count = String(open.length);
    hook('inbox-empty').hidden = open.length + done.length > 0;
  }

  function inboxItem(m) {
    const email = typeof m.email === 'string' ? m.email : '';
    const mail = h('a', { class: 'note__email', sb: 'inbox-email', text: email });
    if (email && !/[\s?&]/.test(email)) mail.href = `mailto:${email}`;
    const li = h('li', { class: `note${m.done ? ' note--done' : ''}`, sb: 'inbox-item', 'data-id': m.id,
      'data-done': m.done ? 'true' : 'false' },
    h('div', { class: 'note__head' },
      h('span', { class: 'note__name', sb: 'inbox-name', text: m.name || t('guest.default') }),
      h('span', { class: 'note__queue', sb: 'inbox-queue', text: m.queue || '', title: queueTitle(m.queue) }),
      h('time', { class: 'note__at', datetime: m.createdAt || null, text: shortDateTime(m.createdAt) })),
    mail,
    h('p', { class: 'note__question', sb: 'inbox-question', text: m.question || '' }),
    m.page ? h('div', { class: 'note__page', sb: 'inbox-page', text: m.page, title: m.page }) : null);
    if (m.done) {
      li.append(h('div', { class: 'note__done', sb: 'inbox-done-by', text: doneText(m) }));
    } else {
      const button = h('button', { type: 'button', class: 'btn btn--small', sb: 'inbox-done', text: t('inbox.markDone') });
      button.addEventListener('click', () => markDone(m, button));
      const actions = h('div', { class: 'note__actions' }, button);
      if (state.mailOn && email) {
        const reply = h('button', { type: 'button', class: 'btn btn--small btn--primary', sb: 'inbox-reply',
          text: t('inbox.reply') });
        const form = replyForm(t('inbox.answerTo', { guest: m.name || t('guest.object'), email }), 'inbox-reply',
          (text) => api('POST', `/api/v1/offline/${encodeURIComponent(m.id)}/reply`, { text }), (r) => {
            state.inbox = state.inbox.map((x) => (x.id === m.id ? r.json : x));
            renderInbox();
            toast(t('inbox.sent', { email }));
          });
        reply.addEventListener('click', () => {
          form.hidden = false;
          reply.hidden = true;
          form.querySelector('textarea').focus();
        });
        actions.prepend(reply);
        li.append(actions, form);
      } else {
        li.append(actions);
      }
    }
    return li;
  }

  /** "Done", with by whom and when as far as the record says. */
  function doneText(m) {
    const vars = { operator: m.doneBy ? operatorName(m.doneBy) : '', at: m.doneAt ? shortDateTime(m.doneAt) : '' };
    if (m.doneBy) return t(m.doneAt ? 'inbox.doneByAt' : 'inbox.doneBy', vars);
    return t(m.doneAt ? 'inbox.doneAt' : 'inbox.done', vars);
  }

  /**
   * A small form to write a mail (an answer or a follow-up): {@code post(text)} sends it, {@code done(r)}
   * runs on success. Hooks: {@code <prefix>-text}, {@code <prefix>-send}, {@code <prefix>-status}.
   */
  function replyForm(label, prefix, post, done) {
    const text = h('textarea', { sb: `${prefix}-text`, class: 'reply__text', rows: '4', maxlength: '20000',
      'aria-label': label });
    const send = h('button', { type: 'submit', class: 'btn btn--primary btn--small', sb: `${prefix}-send`,
      text: t('reply.send') });
    const status = h('p', { class: 'reply__status', sb: `${prefix}-status`, role: 'status' });
    const form = h('form', { class: 'reply', sb: `${prefix}-form`, hidden: true },
      h('label', { class: 'reply__label', text: label }), text, send, status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!text.value.trim()) {
        status.textContent = t('reply.empty');
        text.focus();
        return;
      }
      send.disabled = true;
      status.textContent = t('reply.sending');
      try {
        const r = await post(text.value);
        if (r.ok) {
          status.textContent = t('reply.sent');
          text.value = '';
          done(r);
        } else {
          status.textContent = (r.json && r.json.message) || t('reply.failed');
        }
      } catch (err) {
        status.textContent = t('error.unreachable');
      }
      send.disabled = false;
    });
    return form;
  }

  async function markDone(message, button) {
    button.disabled = true;
    try {
      const r = await api('POST', `/api/v1/offline/${encodeURIComponent(message.id)}/done`);
      if (r.ok && r.json) {
        state.inbox = state.inbox.map((m) => (m.id === message.id ? r.json : m));
        renderInbox();
        return;
      }
      toast((r.json && r.json.message) || t('inbox.doneFailed'));
    } catch (e) {
      toast(t('error.unreachable'));
    }
    button.disabled = false;
  }

  // ------------------------------------------------------------------ chats this session, transcripts

  function rememberRecent(chat) {
    const entry = {
      // no stand-in name is stored: it is written in the language of the moment
      id: chat.id, name: (chat.guest && chat.guest.name) || '', queue: chat.queue, at: new Date().toISOString(),
    };
    state.recent = [entry, ...state.recent.filter((r) => r.id !== chat.id)].slice(0, MAX_RECENT);
    writeJson(sessionStorage, RECENT_KEY, state.recent);
    renderRecent();
  }

  function renderRecent() {
    const list = hook('recent');
    list.replaceChildren(...state.recent.map((r) => {
      const button = h('button', { type: 'button', class: 'recent__item', sb: 'recent-chat', 'data-chat': r.id },
        h('span', { class: 'recent__name', text: r.name || t('guest.default') }),
        h('span', { class: 'recent__meta', text: `${r.queue || ''} · ${clockTime(r.at)}` }));
      button.addEventListener('click', () => openTranscript(r.id));
      return h('li', null, button);
    }));
    hook('recent-empty').hidden = state.recent.length > 0;
  }

  // ------------------------------------------------------------------ the archive (issue 16)

  /** The search as query parameters; dates are the operator's local days, "to" included. */
  function archiveParams() {
    const params = new URLSearchParams();
    const words = hook('archive-words').value.trim();
    if (words) params.set('q', words);
    const from = hook('archive-from').value;
    const to = hook('archive-to').value;
    if (from) params.set('from', from);
    if (to) {
      const next = new Date(`${to}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      params.set('to', next.toISOString().slice(0, 10));
    }
    if (from || to) params.set('tz', Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
    if (!from) params.set('from', '2000-01-01');
    for (const [name, field] of [['queue', 'archive-queue'], ['rating', 'archive-rating'],
      ['resolution', 'archive-resolution'], ['operator', 'archive-operator']]) {
      const value = hook(field).value.trim();
      if (value) params.set(name, value);
    }
    return params;
  }

  function openArchive() {
    const dialog = hook('archive-dialog');
    const admin = state.session && state.session.operator.role === 'admin';
    hook('archive-operator-field').hidden = !admin;
    hook('archive-scope').textContent = admin ? t('archive.scopeAdmin') : t('archive.scopeMine');
    const queues = hook('archive-queue');
    if (queues.options.length === 1) {
      const names = new Set([...state.queues.keys(), ...(admin ? state.queueTitles.keys() : [])]);
      for (const name of names) queues.append(h('option', { value: name, text: queueTitle(name) }));
    }
    const resolutions = hook('archive-resolution');
    if (resolutions.options.length === 1) {
      for (const [code, key] of RESOLUTIONS) resolutions.append(h('option', { value: code, text: t(key) }));
    }
    if (!dialog.open) dialog.showModal();
    searchArchive(false);
  }

  async function searchArchive(more) {
    const status = hook('archive-status');
    const rows = hook('archive-rows');
    const params = archiveParams();
    const offset = more ? rows.children.length : 0;
    params.set('offset', String(offset));
    status.textContent = t('archive.searching');
    try {
      const r = await api('GET', `/api/v1/archive?${params}`);
      if (!r.ok || !r.json) {
        status.textContent = (r.json && r.json.message) || t('archive.failed');
        return;
      }
      const found = r.json.chats.map((c) => {
        const open = h('button', { type: 'button', class: 'btn btn--small', sb: 'archive-open-chat', 'data-chat': c.id,
          text: t('archive.open'),
          'aria-label': t('archive.openLabel', { guest: c.guest || t('guest.indefinite'), date: shortDateTime(c.createdAt) }) });
        open.addEventListener('click', () => openTranscript(c.id));
        const known = RESOLUTIONS.find(([code]) => code === c.resolution);
        const resolution = known ? t(known[1]) : '';
        return h('tr', { sb: 'archive-row', 'data-chat': c.id },
          h('td', { text: shortDateTime(c.createdAt) }),
          h('td', { text: c.guest || t('guest.default') }),
          h('td', { text: queueTitle(c.queue) }),
          h('td', { text: c.operatorName || '' }),
          h('td', { text: c.rating == null ? '' : t('archive.ratingOutOf', { rating: c.rating }) }),
          h('td', { text: resolution }),
          h('td', null, open));
      });
      if (more) rows.append(...found);
      else rows.replaceChildren(...found);
      hook('archive-results').hidden = rows.children.length === 0;
      hook('archive-more').hidden = rows.children.length >= r.json.total && !r.json.totalCapped;
      status.textContent = r.json.total === 0 ? t('archive.matchNone')
        : r.json.totalCapped ? t('archive.matchCapped', { count: r.json.total.toLocaleString(locale) })
          : tn('archive.match', r.json.total);
    } catch (e) {
      status.textContent = t('error.unreachable');
    }
  }

  /** The CSV is fetched with the session's header (no token in a URL) and saved from memory. */
  async function exportArchive() {
    const status = hook('archive-status');
    try {
      const response = await fetch(apiUrl(`/api/v1/archive.csv?${archiveParams()}`), {
        headers: { Authorization: `Bearer ${state.session.token}` },
      });
      if (!response.ok) {
        status.textContent = t('archive.exportFailed');
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const a = h('a', { href: url, download: 'switchboard-archive.csv' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      status.textContent = t('error.unreachable');
    }
  }

  async function openTranscript(chatId) {
    const dialog = hook('transcript-dialog');
    const list = hook('transcript', dialog);
    const meta = hook('transcript-meta', dialog);
    hook('transcript-title', dialog).textContent = t('transcript.title');
    meta.textContent = t('transcript.loading');
    list.replaceChildren();
    if (!dialog.open) dialog.showModal();
    try {
      const r = await api('GET', `/api/v1/chats/${encodeURIComponent(chatId)}`);
      if (!r.ok || !r.json) {
        meta.textContent = (r.json && r.json.message) || t('transcript.failed');
        return;
      }
      const c = r.json;
      const guest = c.guest || {};
      hook('transcript-title', dialog).textContent = t('transcript.chatWith', { guest: guest.name || t('guest.indefinite') });
      const facts = [
        c.queue ? t('transcript.asked', { queue: c.queue }) : null,
        c.answeredQueue && c.answeredQueue !== c.queue ? t('transcript.answeredOn', { queue: c.answeredQueue }) : null,
        c.operator ? t('transcript.by', { operator: operatorName(c.operator) }) : null,
        c.state ? knownOr(`transcript.state.${c.state}`, String(c.state)) : null,
        c.createdAt ? t('transcript.started', { date: shortDateTime(c.createdAt) }) : null,
        c.endedAt ? t('transcript.ended', { time: clockTime(c.endedAt) }) : null,
        guest.email || null,
        guest.page || null,
      ].filter(Boolean);
      meta.textContent = facts.join(' · ');
      const rows = (Array.isArray(c.messages) ? c.messages : []).map((m) => h('li', {
        class: `transcript__msg transcript__msg--${m.from === 'guest' || m.from === 'system' ? m.from : 'operator'}`,
        sb: 'transcript-message', 'data-from': m.from, 'data-seq': m.seq },
      h('span', { class: 'transcript__at', text: clockTime(m.at) }),
      h('span', { class: 'transcript__name',
        text: m.from === 'system' ? '—' : (m.name || knownOr(`transcript.from.${m.from}`, m.from)) }),
      h('span', { class: 'transcript__text' }, ...linkified(typeof m.text === 'string' ? m.text : ''))));
      if (Array.isArray(c.timeline) && c.timeline.length) {
        const describe = (e) => (TIMELINE_TEXT[e.kind] || ((x) => x.kind))(e);
        rows.unshift(h('li', { class: 'transcript__timeline' },
          ...c.timeline.map((e) => h('span', { text: `${describe(e)} ${t('timeline.at', { time: clockTime(e.at) })}` }))));
      }
      if (!rows.length || !(Array.isArray(c.messages) && c.messages.length)) {
        rows.push(h('li', { class: 'empty', text: t('transcript.empty') }));
      }
      // a follow-up by email, to the address the guest gave (issue 16)
      const followUp = hook('transcript-follow-up', dialog);
      followUp.replaceChildren();
      if (state.mailOn && guest.email && c.state && c.state !== 'active') {
        const form = replyForm(t('transcript.followUp', { email: guest.email }), 'follow-up',
          (text) => api('POST', `/api/v1/chats/${encodeURIComponent(chatId)}/reply`, { text }),
          () => toast(t('transcript.followUpSent', { email: guest.email })));
        form.hidden = false;
        followUp.append(form);
      }
      list.replaceChildren(...rows);
    } catch (e) {
      meta.textContent = t('error.unreachable');
    }
  }

  /** A server code (a chat's state, who wrote) in words when a file has them, else as the server said it. */
  function knownOr(key, raw) {
    return has(key) ? t(key) : raw;
  }

  // ------------------------------------------------------------------ canned responses (management)

  let editing = null;

  async function loadCanned() {
    try {
      const r = await api('GET', '/api/v1/canned');
      if (r.ok && r.json && Array.isArray(r.json.responses)) {
        state.cannedAvailable = true;
        state.canned = r.json.responses.filter((x) => x && typeof x.shortcut === 'string' && typeof x.text === 'string');
      } else if (r.status === 404 || r.status === 405) {
        state.cannedAvailable = false;
      }
    } catch (e) {
      // the dialog says so when opened
    }
    renderCannedList();
  }

  function renderCannedQueueOptions() {
    const select = hook('canned-queue');
    const previous = select.value;
    const mine = state.session ? state.session.operator.queues || [] : [];
    select.replaceChildren(h('option', { value: '', text: t('canned.justMe') }),
      ...mine.map((q) => h('option', { value: q, text: t('canned.everyoneOn', { queue: queueTitle(q) }) })));
    if ([...select.options].some((o) => o.value === previous)) select.value = previous;
  }

  function renderCannedList() {
    const list = hook('canned-list');
    if (!state.cannedAvailable) {
      list.replaceChildren(h('li', { class: 'empty', sb: 'canned-unavailable',
        text: t('canned.unavailable') }));
      return;
    }
    const me = state.session && state.session.operator;
    const sorted = [...state.canned].sort((a, b) => (a.queue || '').localeCompare(b.queue || '')
      || a.shortcut.localeCompare(b.shortcut));
    if (!sorted.length) {
      list.replaceChildren(h('li', { class: 'empty', text: t('canned.none') }));
      return;
    }
    list.replaceChildren(...sorted.map((r) => {
      const mayEdit = r.queue == null ? (!r.owner || (me && r.owner === me.id))
        : (me && ((me.queues || []).includes(r.queue) || me.role === 'admin'));
      const edit = h('button', { type: 'button', class: 'btn btn--small', sb: 'canned-edit', text: t('canned.edit') });
      const del = h('button', { type: 'button', class: 'btn btn--small btn--danger', sb: 'canned-delete',
        text: t('canned.delete') });
      edit.addEventListener('click', () => editCanned(r));
      del.addEventListener('click', () => deleteCanned(r, del));
      return h('li', { class: 'canned-item', sb: 'canned-item', 'data-id': r.id },
        h('div', { class: 'canned-item__head' },
          h('span', { class: 'canned-item__key', text: `/${r.shortcut}` }),
          h('span', { class: 'canned-item__scope',
            text: r.queue ? t('canned.everyoneOn', { queue: queueTitle(r.queue) }) : t('canned.justMe') })),
        h('p', { class: 'canned-item__text', text: r.text }),
        mayEdit ? h('div', { class: 'canned-item__actions' }, edit, del) : null);
    }));
  }

  function openCannedDialog() {
    renderCannedQueueOptions();
    resetCannedForm();
    renderCannedList();
    const dialog = hook('canned-dialog');
    if (!dialog.open) dialog.showModal();
    loadCanned();
    hook('canned-shortcut').focus();
  }

  function resetCannedForm() {
    editing = null;
    hook('canned-form-title').textContent = t('canned.new');
    hook('canned-shortcut').value = '';
    hook('canned-text').value = '';
    hook('canned-queue').value = '';
    hook('canned-cancel').hidden = true;
    hook('canned-error').hidden = true;
  }

  function editCanned(r) {
    editing = r;
    hook('canned-form-title').textContent = t('canned.editing', { shortcut: r.shortcut });
    hook('canned-shortcut').value = r.shortcut;
    hook('canned-text').value = r.text;
    renderCannedQueueOptions();
    hook('canned-queue').value = r.queue || '';
    hook('canned-cancel').hidden = false;
    hook('canned-error').hidden = true;
    hook('canned-text').focus();
  }

  async function saveCanned(event) {
    event.preventDefault();
    const shortcut = hook('canned-shortcut').value.trim().toLowerCase().replace(/^\//, '');
    const text = hook('canned-text').value;
    const queue = hook('canned-queue').value || null;
    const error = hook('canned-error');
    if (!/^[a-z0-9-]{1,32}$/.test(shortcut)) {
      error.textContent = t('canned.badShortcut');
      error.hidden = false;
      return;
    }
    if (!text.trim()) {
      error.textContent = t('canned.needText');
      error.hidden = false;
      return;
    }
    const save = hook('canned-save');
    save.disabled = true;
    try {
      const body = { queue, shortcut, text };
      const r = editing
        ? await api('PUT', `/api/v1/canned/${encodeURIComponent(editing.id)}`, body)
        : await api('POST', '/api/v1/canned', body);
      if (r.ok) {
        resetCannedForm();
        await loadCanned();
        hook('canned-shortcut').focus();
      } else {
        error.textContent = (r.json && r.json.message) || t('canned.saveFailed', { status: r.status });
        error.hidden = false;
      }
    } catch (e) {
      error.textContent = t('error.unreachable');
      error.hidden = false;
    } finally {
      save.disabled = false;
    }
  }

  async function deleteCanned(r, button) {
    button.disabled = true;
    try {
      const result = await api('DELETE', `/api/v1/canned/${encodeURIComponent(r.id)}`);
      if (result.ok) {
        if (editing && editing.id === r.id) resetCannedForm();
        await loadCanned();
        return;
      }
      toast((result.json && result.json.message) || t('canned.deleteFailed'));
    } catch (e) {
      toast(t('error.unreachable'));
    }
    button.disabled = false;
  }

  // ------------------------------------------------------------------ every second

  function tick() {
    for (const offer of state.offers.values()) {
      hook('offer-waited', offer.el).textContent = waited(offer.frame.waitingSince);
    }
    checkIdle();
  }

  // ------------------------------------------------------------------ wiring

  hook('login-form').addEventListener('submit', onLoginSubmit);
  hook('logout').addEventListener('click', logout);
  hook('overall-toggle').addEventListener('click', toggleOverall);
  hook('inbox-refresh').addEventListener('click', loadInbox);
  hook('canned-manage').addEventListener('click', openCannedDialog);
  hook('archive-open').addEventListener('click', openArchive);
  hook('auto-away-back').addEventListener('click', backFromAway);
  for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
    document.addEventListener(type, noteActivity, { passive: true, capture: true });
  }
  document.addEventListener('pointermove', () => {
    if (Date.now() - lastActivity > 1000) noteActivity();
  }, { passive: true });
  hook('archive-form').addEventListener('submit', (e) => {
    e.preventDefault();
    searchArchive(false);
  });
  hook('archive-more').addEventListener('click', () => searchArchive(true));
  hook('archive-export').addEventListener('click', exportArchive);
  hook('canned-form').addEventListener('submit', saveCanned);
  hook('canned-cancel').addEventListener('click', resetCannedForm);
  hook('notify').addEventListener('click', () => {
    unlockAudio();
    askNotificationPermission();
  });
  for (const button of $$('[data-sb="dialog-close"]')) {
    button.addEventListener('click', () => button.closest('dialog').close());
  }
  // a browser only lets a page make sound after a person has interacted with it
  document.addEventListener('pointerdown', unlockAudio, { passive: true });
  document.addEventListener('keydown', unlockAudio);
  document.addEventListener('keydown', (e) => {
    if (!state.session || consoleView.hidden) return;
    if (e.altKey && !e.ctrlKey && !e.metaKey && (e.code === 'KeyN' || e.key === 'n' || e.key === 'N')) {
      e.preventDefault();
      nextChat();
    }
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.active && state.chats.has(state.active)) clearUnread(state.chats.get(state.active));
  });
  window.addEventListener('focus', () => {
    if (state.active && state.chats.has(state.active)) clearUnread(state.chats.get(state.active));
  });

  /** Both views stay hidden until the words are in, so no text shows in the wrong language. */
  async function boot() {
    const lang = await loadMessages(chooseLanguage());
    document.documentElement.lang = lang;
    useLocale(lang);
    translatePage();
    setUpLanguageSelect(lang);
    const saved = readJson(sessionStorage, SESSION_KEY);
    if (saved && typeof saved.token === 'string' && saved.operator && saved.expiresAt > Date.now()) {
      startSession(saved);
    } else {
      writeJson(sessionStorage, SESSION_KEY, null);
      showLogin(saved ? endedNotice() : null);
    }
  }

  boot();
})();
