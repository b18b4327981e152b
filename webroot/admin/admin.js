/*
 * Switchboard admin page (/admin/): plain JavaScript, no build step.
 *
 * It talks to the admin API and the stats API (DESIGN §4) with the token of an operator whose role is
 * admin, kept in sessionStorage under "switchboard.admin.token". Every piece of text that comes from the
 * server or from people is set with textContent or value, never parsed as HTML; the one URL built from
 * data (the CSV link) is made with URL/URLSearchParams.
 *
 * Automation hooks (data-sb), kept stable for tests:
 *   sign-in   admin-login (view), admin-login-form, admin-user, admin-password, admin-submit,
 *             admin-notice (why you are here again), error[data-for=login]
 *             admin-denied (view shown to a signed-in non-admin: "Admins only"), admin-denied-text,
 *             admin-denied-back
 *   frame     admin (the signed-in page), admin-name, admin-logout, toasts,
 *             nav[data-section=queues|operators|stats] (aria-current=page when shown),
 *             section[data-section=queues|operators|stats]
 *   errors    every error box is [data-sb=error] with data-for = login | queue-form | queue-list |
 *             operator-form | operator-list | stats; it shows the server's message as it came
 *             ("backups: queue …") in its error-message child, and the field it names is marked
 *             aria-invalid (an input) or .invalid (a group such as [data-field=backups])
 *   queues    queue-add, queue-table, queue-rows, queue-empty,
 *             queue-row[data-queue=NAME] > queue-chain-cell, queue-edit, queue-delete (click twice: the first
 *               click arms it, data-armed)
 *             queue-form (data-mode=new|edit) > queue-form-title, queue-name, queue-title, queue-rollover,
 *               queue-max-wait, queue-form-name, queue-form-email, queue-form-question (selects: off,
 *               optional, required), queue-backups > backup[data-queue=NAME] > backup-up, backup-down, backup-remove,
 *               queue-backups-empty, queue-backup-select, queue-backup-add, queue-chain,
 *               queue-hours-enabled (checkbox), queue-hours, queue-timezone, queue-week >
 *               hours-day[data-day=mon…sun] > hours-range > hours-from, hours-to, hours-remove; hours-add[data-day],
 *               queue-closed > closed-date[data-date] > closed-remove; queue-closed-date, queue-closed-add,
 *               queue-skin-enabled (checkbox), queue-skin, queue-skin-title, queue-skin-color,
 *               queue-skin-text-color, queue-skin-text-auto, queue-skin-greeting, queue-skin-offline-text,
 *               queue-language (en|fr), queue-rating (checkbox),
 *               skin-preview > skin-preview-header, skin-preview-title, skin-preview-greeting,
 *               skin-preview-bubble, skin-preview-launcher;
 *               queue-save, queue-cancel, queue-cancel-bottom
 *   operators operator-add, operator-table, operator-rows, operator-empty,
 *             operator-row[data-operator=ID] > operator-edit, operator-delete (click twice, like queues)
 *             operator-form (data-mode=new|edit) > operator-form-title, operator-id, operator-name,
 *               operator-max-chats, operator-role, operator-queues > operator-queue[data-queue=NAME] (checkbox),
 *               operator-password, operator-password-label, operator-password-hint, operator-save,
 *               operator-cancel, operator-cancel-bottom
 *   stats     stats-form > stats-from, stats-to (both dates, "to" included), stats-queue, stats-group (day|hour),
 *               stats-tz, stats-submit
 *             stats-csv (link to /api/v1/stats.csv with the current filters and ?token=)
 *             stats-result (aria-busy while loading; data-loaded = the query string of the last answer shown),
 *             stats-range, stats-totals > stats-total[data-metric=asked|answered|abandoned|missed|offline|
 *               rolledOver|waitMedianSeconds|waitP90Seconds|lengthMedianSeconds] (data-value = raw number)
 *               > stats-value, stats-sub
 *             stats-chart (an <svg>, data-layout=grouped|stacked, with stats-bar[data-period][data-metric][data-value]),
 *               stats-chart-title, stats-chart-note (shown when stacked), stats-legend, stats-explain
 *             stats-by-recorded, stats-by-answered > stats-row[data-queue=NAME];
 *             stats-by-operator > stats-row[data-operator=ID]; each row's cells carry data-metric
 */
(() => {
  'use strict';

  const TOKEN_KEY = 'switchboard.admin.token';
  const OPERATOR_KEY = 'switchboard.admin.operator';
  const DEFAULT_ROLLOVER_SECONDS = 75;
  const DEFAULT_MAX_CHATS = 5;
  const ARM_MS = 4000;
  const TOAST_MS = 3500;
  const MAX_FILLED_PERIODS = 400;
  const DAYS = [
    ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
    ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday'],
  ];
  const DAY_SHORT = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };
  const SERIES = [
    { key: 'asked', label: 'Asked', colour: 'var(--c-asked)' },
    { key: 'answered', label: 'Answered', colour: 'var(--c-answered)' },
    { key: 'abandoned', label: 'Abandoned', colour: 'var(--c-abandoned)' },
    { key: 'missed', label: 'Missed', colour: 'var(--c-missed)' },
  ];
  const TABLE_METRICS = [
    ['asked', 'Asked', 'count'], ['answered', 'Answered', 'count'], ['abandoned', 'Abandoned', 'count'],
    ['missed', 'Missed', 'count'], ['offline', 'Offline', 'count'], ['rolledOver', 'Rolled over', 'count'],
    ['waitMedianSeconds', 'Wait, median', 'time'], ['waitP90Seconds', 'Wait, 90%', 'time'],
    ['lengthMedianSeconds', 'Length, median', 'time'],
  ];

  // Everything is relative to where admin.js came from, so a server behind a path prefix works too.
  const base = new URL('..', document.currentScript ? document.currentScript.src : location.href);
  const apiUrl = (path) => new URL(path.replace(/^\//, ''), base);

  // ------------------------------------------------------------------ small helpers

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
  const hook = (name, root = document) => $(`[data-sb="${name}"]`, root);
  const errorBox = (forWhat) => $(`[data-sb="error"][data-for="${forWhat}"]`);

  /** Builds an element; `text` is set with textContent, never parsed. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    setProps(el, props);
    for (const child of children) {
      if (child != null && child !== false) el.append(child);
    }
    return el;
  }

  function setProps(el, props) {
    for (const [key, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (key === 'text') el.textContent = value;
      else if (key === 'class') el.setAttribute('class', value);
      else if (key === 'sb') el.dataset.sb = value;
      else if (key === 'value') el.value = value;
      else if (key === 'checked') el.checked = true;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function s(tag, props, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    setProps(el, props);
    for (const child of children) {
      if (child != null && child !== false) el.append(child);
    }
    return el;
  }

  function readSession(key) {
    try {
      return sessionStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function writeSession(key, value) {
    try {
      if (value == null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, value);
    } catch (e) { /* private mode: the session lasts as long as the page */ }
  }

  function toast(text) {
    const el = h('div', { class: 'toast', role: 'status', text });
    hook('toasts').append(el);
    setTimeout(() => el.remove(), TOAST_MS);
  }

  /** "45 s", "1m 05s", "2h 03m"; null → "—". */
  function duration(seconds) {
    if (seconds == null || Number.isNaN(Number(seconds))) return '—';
    const total = Math.round(Number(seconds));
    if (total < 60) return `${total}s`;
    const m = Math.floor(total / 60);
    if (m < 60) return `${m}m ${String(total % 60).padStart(2, '0')}s`;
    return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
  }

  const count = (n) => (n == null ? '—' : Number(n).toLocaleString('en-GB'));

  /** A whole number from an input, null when empty, NaN when not a number (the server names the field). */
  function numberFrom(input) {
    const raw = input.value.trim();
    if (raw === '') return null;
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }

  // Dates as plain calendar days ("2026-11-26"), computed in UTC so no time zone shifts them.
  const isoDay = (date) => date.toISOString().slice(0, 10);
  const dayToDate = (day) => new Date(`${day}T00:00:00Z`);
  function addDays(day, n) {
    const d = dayToDate(day);
    d.setUTCDate(d.getUTCDate() + n);
    return isoDay(d);
  }
  function localToday() {
    const now = new Date();
    return isoDay(new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())));
  }
  const DAY_LABEL = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const LONG_DAY_LABEL = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

  function browserTimeZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    } catch (e) {
      return 'UTC';
    }
  }

  // ------------------------------------------------------------------ API

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  const state = {
    token: null,
    operator: null,
    section: null,
    queues: [],
    operators: [],
    queueEdit: null, // { original: queue|null, backups: [], week: {day: [{from,to}]}, closed: [] }
    operatorEdit: null, // { original: operator|null }
    statsRequest: 0,
    lastStats: null, // [answer, params] of the stats shown
  };

  /** A JSON API call with the admin token. 401 ends the session; 403 shows "admins only". */
  async function api(method, path, body) {
    if (!state.token) throw new ApiError(401, 'unauthorized', 'Signed out.');
    const headers = { Authorization: `Bearer ${state.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(apiUrl(path), {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
    }
    const text = await response.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch (e) {
        json = null;
      }
    }
    if (response.ok) return json;
    const code = (json && json.error) || `http_${response.status}`;
    const message = (json && json.message) || `${response.status} ${response.statusText || 'error'}`.trim();
    if (response.status === 401) {
      sessionEnded('Your session ended; sign in again.');
    } else if (response.status === 403) {
      showDenied(state.operator);
    }
    throw new ApiError(response.status, code, message);
  }

  // ------------------------------------------------------------------ errors next to forms

  /** Shows the server's message ("field: problem") in a form's error box and marks the field it names. */
  function showError(forWhat, error, form) {
    const box = errorBox(forWhat);
    const message = error instanceof Error ? error.message : String(error);
    const lead = forWhat.endsWith('-form') ? h('strong', { text: 'Not saved. ' }) : null;
    box.replaceChildren(...[lead, h('span', { sb: 'error-message', text: message })].filter(Boolean));
    box.hidden = false;
    if (form) markField(form, message);
    box.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  function showListError(forWhat, error) {
    const box = errorBox(forWhat);
    box.textContent = error.message;
    box.hidden = false;
  }

  function clearError(forWhat, form) {
    const box = errorBox(forWhat);
    box.hidden = true;
    box.replaceChildren();
    if (form) {
      $$('[aria-invalid=true]', form).forEach((el) => el.removeAttribute('aria-invalid'));
      $$('.invalid', form).forEach((el) => el.classList.remove('invalid'));
    }
  }

  /** `backups[0]: …` marks [data-field=backups]; `hours.weekly.mon[1]: …` marks the closest field it finds. */
  function markField(form, message) {
    const match = /^([A-Za-z][\w.[\]-]*):\s/.exec(message);
    if (!match) return;
    // a path may come relative to the whole set-up ("queues[0].backups"): the field is what follows
    let path = match[1].replace(/^(queues|operators)\[\d+\]\./, '');
    while (path) {
      const el = $$('[data-field]', form).find((e) => e.dataset.field === path);
      if (el) {
        if (el.matches('input, select, textarea')) {
          el.setAttribute('aria-invalid', 'true');
          if (!el.disabled && !el.closest('[hidden]')) el.focus({ preventScroll: true });
        } else {
          el.classList.add('invalid');
        }
        return;
      }
      const shorter = path.replace(/(\[\d+\]|\.[^.[\]]+)$/, '');
      if (shorter === path) return;
      path = shorter;
    }
  }

  // ------------------------------------------------------------------ sign-in

  function showLogin(notice) {
    hook('admin').hidden = true;
    hook('admin-denied').hidden = true;
    hook('admin-login').hidden = false;
    const box = hook('admin-notice');
    box.textContent = notice || '';
    box.hidden = !notice;
    clearError('login');
    hook('admin-password').value = '';
    (hook('admin-user').value ? hook('admin-password') : hook('admin-user')).focus();
    document.title = 'Switchboard admin – sign in';
  }

  function showDenied(operator) {
    const who = operator ? `${operator.name || operator.id}, ${operator.role === 'admin' ? 'no longer an admin' : 'an operator'}`
      : 'an operator';
    hook('admin-denied-text').textContent =
      `This page is for admins only. You signed in as ${who}: only admins change queues and operators or see the stats.`;
    forgetSession();
    hook('admin').hidden = true;
    hook('admin-login').hidden = true;
    hook('admin-denied').hidden = false;
    document.title = 'Switchboard admin – admins only';
  }

  async function onLoginSubmit(event) {
    event.preventDefault();
    const user = hook('admin-user').value.trim();
    const password = hook('admin-password').value;
    const submit = hook('admin-submit');
    clearError('login');
    if (!user || !password) {
      showError('login', new Error('Enter your username and password.'));
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const response = await fetch(apiUrl('/api/v1/login'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: user, password }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok && body.token) {
        if (!body.operator || body.operator.role !== 'admin') {
          revoke(body.token);
          showDenied(body.operator || { id: user });
          return;
        }
        startSession(body.token, body.operator);
        return;
      }
      if (response.status === 401) showError('login', new Error('That username and password do not match.'));
      else if (response.status === 429) showError('login', new Error('Too many attempts. Wait a few minutes and try again.'));
      else showError('login', new Error(body.message || 'Sign-in failed; please try again.'));
      hook('admin-password').select();
    } catch (e) {
      showError('login', new Error('The server cannot be reached. Check your connection and try again.'));
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  }

  function revoke(token) {
    fetch(apiUrl('/api/v1/logout'), { method: 'POST', headers: { Authorization: `Bearer ${token}` } })
      .catch(() => { /* it expires by itself */ });
  }

  function startSession(token, operator) {
    state.token = token;
    state.operator = operator;
    writeSession(TOKEN_KEY, token);
    writeSession(OPERATOR_KEY, JSON.stringify(operator));
    hook('admin-login').hidden = true;
    hook('admin-denied').hidden = true;
    hook('admin').hidden = false;
    hook('admin-name').textContent = operator.name || operator.id;
    hook('admin-password').value = '';
    updateCsvLink();
    showSection(sectionFromHash());
    loadQueues();
    loadOperators();
  }

  function forgetSession() {
    state.token = null;
    state.operator = null;
    state.queues = [];
    state.operators = [];
    state.section = null;
    writeSession(TOKEN_KEY, null);
    writeSession(OPERATOR_KEY, null);
    closeQueueForm();
    closeOperatorForm();
    hook('queue-rows').replaceChildren();
    hook('operator-rows').replaceChildren();
    hook('stats-result').removeAttribute('data-loaded');
    state.lastStats = null;
  }

  function sessionEnded(notice) {
    forgetSession();
    showLogin(notice);
  }

  function logout() {
    const token = state.token;
    sessionEnded('You signed out.');
    if (token) revoke(token);
  }

  // ------------------------------------------------------------------ sections

  function sectionFromHash() {
    const name = location.hash.replace(/^#/, '');
    return ['queues', 'operators', 'stats'].includes(name) ? name : 'queues';
  }

  function showSection(name) {
    state.section = name;
    for (const section of $$('[data-sb="section"]')) section.hidden = section.dataset.section !== name;
    for (const link of $$('[data-sb="nav"]')) {
      if (link.dataset.section === name) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    const title = { queues: 'Queues', operators: 'Operators', stats: 'Stats' }[name];
    document.title = `${title} – Switchboard admin`;
    if (name === 'stats' && !hook('stats-result').dataset.loaded) loadStats();
  }

  // ------------------------------------------------------------------ queues: list

  async function loadQueues() {
    try {
      const body = await api('GET', '/api/v1/admin/queues');
      state.queues = (body && Array.isArray(body.queues)) ? body.queues : [];
      errorBox('queue-list').hidden = true;
      renderQueues();
      renderQueueChoices();
      // the stats tables name each queue's title, which may have arrived after them
      if (state.lastStats) renderStats(...state.lastStats);
    } catch (e) {
      if (e.status !== 401 && e.status !== 403) showListError('queue-list', e);
    }
  }

  function queueMap(queues = state.queues) {
    return new Map(queues.map((q) => [q.name, q]));
  }

  /** The rollover chain (DESIGN §1): the queue, then its backups depth-first, without repeats. */
  function rolloverChain(name, map) {
    const chain = [];
    const seen = new Set();
    let loop = null;
    const path = [];
    const visit = (n) => {
      if (path.includes(n)) {
        if (!loop) loop = [...path.slice(path.indexOf(n)), n];
        return;
      }
      if (seen.has(n)) return;
      seen.add(n);
      chain.push(n);
      path.push(n);
      const q = map.get(n);
      for (const b of (q && q.backups) || []) visit(b);
      path.pop();
    };
    visit(name);
    return { chain, loop };
  }

  function renderQueues() {
    const map = queueMap();
    const rows = state.queues.map((q) => {
      const editing = state.queueEdit && state.queueEdit.original && state.queueEdit.original.name === q.name;
      return h('tr', { sb: 'queue-row', 'data-queue': q.name, class: editing ? 'row--editing' : null },
        h('td', null,
          h('div', { class: 'cell__main', text: q.title || q.name }),
          h('div', { class: 'cell__sub', text: q.name })),
        h('td', { sb: 'queue-chain-cell' }, h('span', { class: 'chain', text: rolloverChain(q.name, map).chain.join(' → ') })),
        h('td', { class: 'num', text: q.rolloverAfterSeconds == null ? '—' : `${q.rolloverAfterSeconds} s` }),
        h('td', { class: 'num', text: q.maxWaitSeconds == null ? 'none' : `${q.maxWaitSeconds} s` }),
        h('td', null, hoursSummary(q.hours)),
        h('td', null, skinSummary(q.skin)),
        h('td', { class: 'actions' },
          h('button', { type: 'button', class: 'btn btn--small', sb: 'queue-edit', text: 'Edit', onclick: () => openQueueForm(q) }),
          h('button', {
            type: 'button', class: 'btn btn--small btn--danger', sb: 'queue-delete', text: 'Delete',
            onclick: (e) => armThen(e.currentTarget, `Delete ${q.name}?`, () => deleteQueue(q.name)),
          })));
    });
    hook('queue-rows').replaceChildren(...rows);
    hook('queue-empty').hidden = rows.length > 0;
  }

  function hoursSummary(hours) {
    if (!hours || typeof hours !== 'object') return h('span', { class: 'muted', text: 'Always open' });
    const weekly = hours.weekly || {};
    const lines = [];
    let i = 0;
    while (i < DAYS.length) {
      const key = JSON.stringify(weekly[DAYS[i][0]] || []);
      let j = i;
      while (j + 1 < DAYS.length && JSON.stringify(weekly[DAYS[j + 1][0]] || []) === key) j += 1;
      const ranges = weekly[DAYS[i][0]] || [];
      if (ranges.length) {
        const days = i === j ? DAY_SHORT[DAYS[i][0]] : `${DAY_SHORT[DAYS[i][0]]}–${DAY_SHORT[DAYS[j][0]]}`;
        lines.push(`${days} ${ranges.map((r) => String(r).replace('-', '–')).join(', ')}`);
      }
      i = j + 1;
    }
    if (!lines.length) lines.push('Closed every day');
    const closed = Array.isArray(hours.closed) ? hours.closed.length : 0;
    const foot = [hours.timeZone, closed ? `${closed} closed date${closed === 1 ? '' : 's'}` : null].filter(Boolean).join(' · ');
    return h('div', { class: 'hours-summary' },
      ...lines.map((l) => h('span', { text: l })),
      foot ? h('span', { class: 'muted', text: foot }) : null);
  }

  function skinSummary(skin) {
    if (!skin || typeof skin !== 'object') return h('span', { class: 'muted', text: 'Default' });
    const swatch = h('i');
    if (typeof skin.color === 'string' && CSS.supports('color', skin.color)) swatch.style.background = skin.color;
    return h('span', { class: 'swatch' }, swatch, h('span', { text: skin.title || skin.color || 'Custom' }));
  }

  /** A destructive button acts on its second click, within a few seconds of the first. */
  function armThen(button, armedText, action) {
    if (button.dataset.armed) {
      clearTimeout(Number(button.dataset.timer));
      action();
      return;
    }
    const original = button.textContent;
    button.dataset.armed = 'true';
    button.textContent = armedText;
    button.dataset.timer = String(setTimeout(() => {
      delete button.dataset.armed;
      button.textContent = original;
    }, ARM_MS));
  }

  async function deleteQueue(name) {
    clearError('queue-list');
    try {
      await api('DELETE', `/api/v1/admin/queues/${encodeURIComponent(name)}`);
      toast(`Queue ${name} deleted.`);
      if (state.queueEdit && state.queueEdit.original && state.queueEdit.original.name === name) closeQueueForm();
      await loadQueues();
      loadOperators();
    } catch (e) {
      if (e.status !== 401 && e.status !== 403) {
        showListError('queue-list', new Error(`${name} was not deleted: ${e.message}`));
        renderQueues();
      }
    }
  }

  // ------------------------------------------------------------------ queues: form

  function parseRange(text) {
    const m = /^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$/.exec(String(text));
    const pad = (t) => (t.length === 4 ? `0${t}` : t);
    return m ? { from: pad(m[1]), to: pad(m[2]) } : { from: '', to: '' };
  }

  function openQueueForm(queue) {
    const form = hook('queue-form');
    clearError('queue-form', form);
    const hours = queue && queue.hours && typeof queue.hours === 'object' ? queue.hours : null;
    const week = {};
    for (const [day] of DAYS) {
      week[day] = ((hours && hours.weekly && hours.weekly[day]) || []).map(parseRange);
    }
    state.queueEdit = {
      original: queue || null,
      backups: queue ? [...(queue.backups || [])] : [],
      week,
      closed: hours && Array.isArray(hours.closed) ? [...hours.closed] : [],
    };
    const editing = !!queue;
    form.dataset.mode = editing ? 'edit' : 'new';
    hook('queue-form-title').textContent = editing ? `Edit queue ${queue.name}` : 'New queue';
    const name = hook('queue-name');
    name.value = editing ? queue.name : '';
    name.readOnly = editing;
    hook('queue-name-hint').textContent = editing
      ? 'The name cannot change: widgets and links on other sites use it.'
      : 'Lower-case letters, digits and dashes; used in the widget snippet.';
    hook('queue-title').value = editing ? (queue.title || '') : '';
    hook('queue-rollover').value = editing && queue.rolloverAfterSeconds != null ? queue.rolloverAfterSeconds : DEFAULT_ROLLOVER_SECONDS;
    hook('queue-max-wait').value = editing && queue.maxWaitSeconds != null ? queue.maxWaitSeconds : '';
    const asks = editing && queue.form && typeof queue.form === 'object' ? queue.form : {};
    hook('queue-form-name').value = asks.name || 'optional';
    hook('queue-form-email').value = asks.email || 'off';
    hook('queue-form-question').value = asks.question || 'optional';
    hook('queue-language').value = editing && queue.language ? queue.language : 'en';
    hook('queue-rating').checked = !!(editing && queue.rating);

    hook('queue-hours-enabled').checked = !!hours;
    hook('queue-timezone').value = hours && hours.timeZone ? hours.timeZone : '';
    hook('queue-closed-date').value = '';

    const skin = queue && queue.skin && typeof queue.skin === 'object' ? queue.skin : null;
    hook('queue-skin-enabled').checked = !!skin;
    hook('queue-skin-title').value = (skin && skin.title) || '';
    hook('queue-skin-color').value = hexOr(skin && skin.color, '#1d4e89');
    const hasText = !!(skin && skin.textColor);
    hook('queue-skin-text-auto').checked = !hasText;
    hook('queue-skin-text-color').value = hexOr(skin && skin.textColor, '#ffffff');
    hook('queue-skin-greeting').value = (skin && skin.greeting) || '';
    hook('queue-skin-offline-text').value = (skin && skin.offlineText) || '';

    form.hidden = false;
    renderBackups();
    renderHours();
    renderSkin();
    renderQueues();
    form.scrollIntoView({ block: 'start', behavior: 'smooth' });
    (editing ? hook('queue-title') : name).focus({ preventScroll: true });
  }

  /** A colour input needs #rrggbb; other CSS colours are shown as the nearest it can hold. */
  function hexOr(color, fallback) {
    if (typeof color !== 'string') return fallback;
    if (/^#[0-9a-f]{6}$/i.test(color)) return color.toLowerCase();
    if (/^#[0-9a-f]{3}$/i.test(color)) return `#${[...color.slice(1)].map((c) => c + c).join('')}`.toLowerCase();
    if (!CSS.supports('color', color)) return fallback;
    const probe = h('span');
    probe.style.color = color;
    document.body.append(probe);
    const rgb = (getComputedStyle(probe).color.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
    probe.remove();
    return rgb.length === 3 ? `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}` : fallback;
  }

  function closeQueueForm() {
    state.queueEdit = null;
    const form = hook('queue-form');
    form.hidden = true;
    clearError('queue-form', form);
    renderQueues();
  }

  function editedQueueName() {
    return state.queueEdit && state.queueEdit.original ? state.queueEdit.original.name : hook('queue-name').value.trim();
  }

  function renderBackups() {
    const edit = state.queueEdit;
    if (!edit) return;
    const map = queueMap();
    const list = edit.backups.map((name, i) => {
      const q = map.get(name);
      return h('li', { class: 'backup', sb: 'backup', 'data-queue': name },
        h('span', { class: 'backup__name' }, h('strong', { text: name }), q && q.title ? h('small', { text: q.title }) : null),
        h('span', { class: 'backup__moves' },
          h('button', {
            type: 'button', class: 'btn btn--icon', sb: 'backup-up', 'aria-label': `Move ${name} up`, title: 'Move up',
            text: '↑', disabled: i === 0, onclick: () => moveBackup(i, -1),
          }),
          h('button', {
            type: 'button', class: 'btn btn--icon', sb: 'backup-down', 'aria-label': `Move ${name} down`, title: 'Move down',
            text: '↓', disabled: i === edit.backups.length - 1, onclick: () => moveBackup(i, 1),
          }),
          h('button', {
            type: 'button', class: 'btn btn--icon btn--danger', sb: 'backup-remove', 'aria-label': `Remove ${name}`,
            title: 'Remove', text: '×', onclick: () => { edit.backups.splice(i, 1); renderBackups(); },
          })));
    });
    hook('queue-backups').replaceChildren(...list);
    hook('queue-backups-empty').hidden = list.length > 0;

    const self = editedQueueName();
    const select = hook('queue-backup-select');
    const options = state.queues
      .filter((q) => q.name !== self && !edit.backups.includes(q.name))
      .map((q) => h('option', { value: q.name, text: q.title ? `${q.name} — ${q.title}` : q.name }));
    select.replaceChildren(...(options.length ? options : [h('option', { value: '', text: 'No other queue' })]));
    select.disabled = !options.length;
    hook('queue-backup-add').disabled = !options.length;
    renderChain();
  }

  function moveBackup(i, delta) {
    const list = state.queueEdit.backups;
    const j = i + delta;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    renderBackups();
    const button = $(`[data-sb="backup"][data-queue="${CSS.escape(list[j])}"] [data-sb="${delta < 0 ? 'backup-up' : 'backup-down'}"]`);
    if (button && !button.disabled) button.focus();
  }

  function renderChain() {
    const edit = state.queueEdit;
    const self = editedQueueName() || 'this queue';
    const map = queueMap();
    map.set(self, { name: self, backups: edit.backups });
    const { chain, loop } = rolloverChain(self, map);
    const text = chain.join(' → ') + (loop ? `  (loops: ${loop.join(' → ')}; the server will refuse it)` : '');
    hook('queue-chain').textContent = text;
  }

  function renderHours() {
    const edit = state.queueEdit;
    const on = hook('queue-hours-enabled').checked;
    hook('queue-hours').hidden = !on;
    const rows = DAYS.map(([day, label]) => {
      const ranges = edit.week[day];
      const cell = h('div', { class: 'day' });
      ranges.forEach((range, i) => {
        cell.append(h('span', { class: 'range', sb: 'hours-range' },
          h('input', {
            type: 'time', sb: 'hours-from', value: range.from, 'aria-label': `${label} opens`,
            oninput: (e) => { range.from = e.target.value; },
          }),
          h('span', { class: 'range__to', text: 'to' }),
          h('input', {
            type: 'time', sb: 'hours-to', value: range.to, 'aria-label': `${label} closes`,
            oninput: (e) => { range.to = e.target.value; },
          }),
          h('button', {
            type: 'button', class: 'btn btn--icon btn--ghost-dark', sb: 'hours-remove', text: '×',
            'aria-label': `Remove these ${label} hours`, onclick: () => { ranges.splice(i, 1); renderHours(); },
          })));
      });
      if (!ranges.length) cell.append(h('span', { class: 'day__closed', text: 'Closed' }));
      cell.append(h('button', {
        type: 'button', class: 'btn btn--small', sb: 'hours-add', 'data-day': day, text: ranges.length ? '+ Hours' : 'Add hours',
        onclick: () => {
          const last = ranges[ranges.length - 1];
          ranges.push(last ? { from: last.to, to: '' } : { from: '09:00', to: '17:00' });
          renderHours();
        },
      }));
      return h('tr', { sb: 'hours-day', 'data-day': day, 'data-field': `hours.weekly.${day}` },
        h('th', { scope: 'row', text: label }), h('td', null, cell));
    });
    hook('queue-week').replaceChildren(...rows);
    const chips = [...edit.closed].sort().map((date) => h('li', { class: 'chip', sb: 'closed-date', 'data-date': date },
      h('span', { text: /^\d{4}-\d{2}-\d{2}$/.test(date) ? LONG_DAY_LABEL.format(dayToDate(date)) : date }),
      h('button', {
        type: 'button', sb: 'closed-remove', text: '×', 'aria-label': `Remove ${date}`,
        onclick: () => { edit.closed.splice(edit.closed.indexOf(date), 1); renderHours(); },
      })));
    hook('queue-closed').replaceChildren(...chips);
  }

  function onHoursToggle() {
    const edit = state.queueEdit;
    if (hook('queue-hours-enabled').checked) {
      if (!hook('queue-timezone').value) hook('queue-timezone').value = browserTimeZone();
      if (DAYS.every(([day]) => !edit.week[day].length)) {
        for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) edit.week[day] = [{ from: '09:00', to: '17:00' }];
      }
    }
    renderHours();
  }

  function addClosedDate() {
    const input = hook('queue-closed-date');
    const date = input.value;
    if (date && !state.queueEdit.closed.includes(date)) state.queueEdit.closed.push(date);
    input.value = '';
    renderHours();
  }

  /** Black or white, whichever reads better on the colour (as the widget decides). */
  function readableOn(hex) {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    return (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.05) ? '#ffffff' : '#1b1f24';
  }

  function renderSkin() {
    const on = hook('queue-skin-enabled').checked;
    hook('queue-skin').hidden = !on;
    const color = hook('queue-skin-color').value || '#1d4e89';
    const auto = hook('queue-skin-text-auto').checked;
    const textColor = hook('queue-skin-text-color');
    textColor.disabled = auto;
    if (auto) textColor.value = readableOn(color) === '#ffffff' ? '#ffffff' : '#1b1f24';
    const preview = hook('skin-preview');
    preview.style.setProperty('--p-accent', color);
    preview.style.setProperty('--p-on', auto ? readableOn(color) : textColor.value);
    const fallbackTitle = hook('queue-title').value.trim() || 'Chat with us';
    hook('skin-preview-title').textContent = hook('queue-skin-title').value.trim() || fallbackTitle;
    hook('skin-preview-greeting').textContent = hook('queue-skin-greeting').value.trim()
      || 'Hello! Type your question below and we will answer as soon as we can.';
  }

  function collectQueue() {
    const edit = state.queueEdit;
    const queue = {
      name: edit.original ? edit.original.name : hook('queue-name').value.trim(),
      title: hook('queue-title').value.trim(),
      backups: [...edit.backups],
      rolloverAfterSeconds: numberFrom(hook('queue-rollover')) ?? DEFAULT_ROLLOVER_SECONDS,
      maxWaitSeconds: numberFrom(hook('queue-max-wait')),
      hours: null,
      skin: null,
      language: hook('queue-language').value,
      rating: hook('queue-rating').checked,
      form: {
        name: hook('queue-form-name').value,
        email: hook('queue-form-email').value,
        question: hook('queue-form-question').value,
      },
    };
    if (hook('queue-hours-enabled').checked) {
      const weekly = {};
      for (const [day] of DAYS) {
        const ranges = edit.week[day];
        ranges.forEach((r, i) => {
          if (!r.from || !r.to) throw new Error(`hours.weekly.${day}[${i}]: enter both an opening and a closing time`);
        });
        if (ranges.length) weekly[day] = ranges.map((r) => `${r.from}-${r.to}`);
      }
      queue.hours = { timeZone: hook('queue-timezone').value.trim(), weekly, closed: [...edit.closed].sort() };
    }
    if (hook('queue-skin-enabled').checked) {
      const skin = { color: hook('queue-skin-color').value };
      if (!hook('queue-skin-text-auto').checked) skin.textColor = hook('queue-skin-text-color').value;
      const title = hook('queue-skin-title').value.trim();
      const greeting = hook('queue-skin-greeting').value.trim();
      if (title) skin.title = title;
      if (greeting) skin.greeting = greeting;
      const offlineText = hook('queue-skin-offline-text').value.trim();
      if (offlineText) skin.offlineText = offlineText;
      queue.skin = skin;
    }
    return queue;
  }

  async function onQueueSubmit(event) {
    event.preventDefault();
    const form = hook('queue-form');
    clearError('queue-form', form);
    let queue;
    try {
      queue = collectQueue();
    } catch (e) {
      showError('queue-form', e, form);
      return;
    }
    const editing = !!state.queueEdit.original;
    const save = hook('queue-save');
    save.disabled = true;
    try {
      if (editing) await api('PUT', `/api/v1/admin/queues/${encodeURIComponent(queue.name)}`, queue);
      else await api('POST', '/api/v1/admin/queues', queue);
      toast(`Queue ${queue.name} saved.`);
      state.queueEdit = null;
      form.hidden = true;
      await loadQueues();
      if (!editing) loadOperators();
    } catch (e) {
      if (e.status !== 401 && e.status !== 403) showError('queue-form', e, form);
    } finally {
      save.disabled = false;
    }
  }

  // ------------------------------------------------------------------ operators

  async function loadOperators() {
    try {
      const body = await api('GET', '/api/v1/admin/operators');
      state.operators = (body && Array.isArray(body.operators)) ? body.operators : [];
      errorBox('operator-list').hidden = true;
      renderOperators();
    } catch (e) {
      if (e.status !== 401 && e.status !== 403) showListError('operator-list', e);
    }
  }

  function renderOperators() {
    const me = state.operator && state.operator.id;
    const rows = state.operators.map((op) => {
      const editing = state.operatorEdit && state.operatorEdit.original && state.operatorEdit.original.id === op.id;
      const queues = (op.queues || []).map((q) => h('span', { class: 'pill', text: q }));
      return h('tr', { sb: 'operator-row', 'data-operator': op.id, class: editing ? 'row--editing' : null },
        h('td', null,
          h('div', { class: 'cell__main', text: op.name || op.id }),
          h('div', { class: 'cell__sub', text: op.id })),
        h('td', null, ...(queues.length ? queues : [h('span', { class: 'muted', text: 'none' })])),
        h('td', { class: 'num', text: op.maxChats == null ? '—' : String(op.maxChats) }),
        h('td', null, h('span', { class: op.role === 'admin' ? 'pill pill--admin' : 'pill', text: op.role === 'admin' ? 'Admin' : 'Operator' })),
        h('td', null, h('span', { class: op.hasPassword === false ? 'muted' : null, text: op.hasPassword === false ? 'not set' : 'set' })),
        h('td', { class: 'actions' },
          h('button', { type: 'button', class: 'btn btn--small', sb: 'operator-edit', text: 'Edit', onclick: () => openOperatorForm(op) }),
          h('button', {
            type: 'button', class: 'btn btn--small btn--danger', sb: 'operator-delete', text: 'Delete',
            disabled: op.id === me, title: op.id === me ? 'You cannot delete yourself' : null,
            onclick: (e) => armThen(e.currentTarget, `Delete ${op.id}?`, () => deleteOperator(op.id)),
          })));
    });
    hook('operator-rows').replaceChildren(...rows);
    hook('operator-empty').hidden = rows.length > 0;
  }

  /** Queue checkboxes for the operator form, keeping the current ticks. */
  function renderOperatorQueues(selected) {
    const boxes = hook('operator-queues');
    const ticked = selected || new Set($$('[data-sb="operator-queue"]', boxes).filter((b) => b.checked).map((b) => b.dataset.queue));
    const known = state.queues.map((q) => q.name);
    const names = [...known, ...[...ticked].filter((n) => !known.includes(n))];
    const map = queueMap();
    boxes.replaceChildren(...names.map((name) => {
      const q = map.get(name);
      return h('label', { class: 'check' },
        h('input', { type: 'checkbox', sb: 'operator-queue', 'data-queue': name, checked: ticked.has(name) }),
        h('span', { text: q && q.title ? `${q.title} (${name})` : name }));
    }));
    if (!names.length) boxes.append(h('span', { class: 'empty', text: 'No queues yet.' }));
  }

  function renderQueueChoices() {
    if (state.operatorEdit) renderOperatorQueues();
    if (state.queueEdit) renderBackups();
    const select = hook('stats-queue');
    const current = select.value;
    select.replaceChildren(h('option', { value: '', text: 'All queues' }),
      ...state.queues.map((q) => h('option', { value: q.name, text: q.title ? `${q.name} — ${q.title}` : q.name })));
    select.value = state.queues.some((q) => q.name === current) ? current : '';
  }

  function openOperatorForm(op) {
    const form = hook('operator-form');
    clearError('operator-form', form);
    state.operatorEdit = { original: op || null };
    const editing = !!op;
    form.dataset.mode = editing ? 'edit' : 'new';
    hook('operator-form-title').textContent = editing ? `Edit operator ${op.id}` : 'New operator';
    const id = hook('operator-id');
    id.value = editing ? op.id : '';
    id.readOnly = editing;
    hook('operator-id-hint').textContent = editing ? 'The username cannot change.' : 'What they type to sign in.';
    hook('operator-name').value = editing ? (op.name || '') : '';
    hook('operator-max-chats').value = editing && op.maxChats != null ? op.maxChats : DEFAULT_MAX_CHATS;
    hook('operator-role').value = editing && op.role === 'admin' ? 'admin' : 'operator';
    hook('operator-password').value = '';
    hook('operator-password-label').textContent = editing ? 'New password' : 'Password';
    hook('operator-password-hint').textContent = editing
      ? (op.hasPassword === false ? 'None set yet: they cannot sign in until you set one (8 characters or more).'
        : 'Leave empty to keep the current password.')
      : 'At least 8 characters. Give it to them in person; nobody can read it back.';
    renderOperatorQueues(new Set(editing ? op.queues || [] : []));
    form.hidden = false;
    renderOperators();
    form.scrollIntoView({ block: 'start', behavior: 'smooth' });
    (editing ? hook('operator-name') : id).focus({ preventScroll: true });
  }

  function closeOperatorForm() {
    state.operatorEdit = null;
    const form = hook('operator-form');
    form.hidden = true;
    clearError('operator-form', form);
    hook('operator-password').value = '';
    renderOperators();
  }

  async function onOperatorSubmit(event) {
    event.preventDefault();
    const form = hook('operator-form');
    clearError('operator-form', form);
    const edit = state.operatorEdit;
    const editing = !!edit.original;
    const operator = {
      id: editing ? edit.original.id : hook('operator-id').value.trim(),
      name: hook('operator-name').value.trim(),
      queues: $$('[data-sb="operator-queue"]', form).filter((b) => b.checked).map((b) => b.dataset.queue),
      maxChats: numberFrom(hook('operator-max-chats')) ?? DEFAULT_MAX_CHATS,
      role: hook('operator-role').value,
    };
    const password = hook('operator-password').value;
    if (password) operator.password = password;
    if (editing && edit.original.id === state.operator.id && operator.role !== 'admin') {
      showError('operator-form', new Error('role: you cannot take the admin role from yourself; ask another admin'), form);
      return;
    }
    const save = hook('operator-save');
    save.disabled = true;
    try {
      if (editing) await api('PUT', `/api/v1/admin/operators/${encodeURIComponent(operator.id)}`, operator);
      else await api('POST', '/api/v1/admin/operators', operator);
      toast(!editing ? `Operator ${operator.id} added.`
        : password ? `Operator ${operator.id} saved; the new password works from now on.` : `Operator ${operator.id} saved.`);
      state.operatorEdit = null;
      form.hidden = true;
      hook('operator-password').value = '';
      await loadOperators();
    } catch (e) {
      if (e.status !== 401 && e.status !== 403) showError('operator-form', e, form);
    } finally {
      save.disabled = false;
    }
  }

  async function deleteOperator(id) {
    clearError('operator-list');
    try {
      await api('DELETE', `/api/v1/admin/operators/${encodeURIComponent(id)}`);
      toast(`Operator ${id} deleted.`);
      if (state.operatorEdit && state.operatorEdit.original && state.operatorEdit.original.id === id) closeOperatorForm();
      await loadOperators();
    } catch (e) {
      if (e.status !== 401 && e.status !== 403) {
        showListError('operator-list', new Error(`${id} was not deleted: ${e.message}`));
        renderOperators();
      }
    }
  }

  // ------------------------------------------------------------------ stats

  function initStatsFilters() {
    const today = localToday();
    hook('stats-to').value = today;
    hook('stats-from').value = addDays(today, -6);
    hook('stats-tz').value = browserTimeZone();
    updateCsvLink();
  }

  /** The stats query of the filters; `to` is exclusive for the API, so the day after the one shown. */
  function statsParams() {
    const params = new URLSearchParams();
    const from = hook('stats-from').value;
    const to = hook('stats-to').value;
    if (from) params.set('from', from);
    if (to) params.set('to', addDays(to, 1));
    const queue = hook('stats-queue').value;
    if (queue) params.set('queue', queue);
    params.set('groupBy', hook('stats-group').value);
    const tz = hook('stats-tz').value.trim();
    if (tz) params.set('tz', tz);
    return params;
  }

  function updateCsvLink() {
    const params = statsParams();
    if (state.token) params.set('token', state.token);
    const url = apiUrl('/api/v1/stats.csv');
    url.search = params.toString();
    const link = hook('stats-csv');
    link.href = url.toString();
    const from = hook('stats-from').value || 'start';
    const to = hook('stats-to').value || 'end';
    link.setAttribute('download', `switchboard-stats-${from}-to-${to}.csv`);
  }

  async function loadStats() {
    const result = hook('stats-result');
    clearError('stats');
    updateCsvLink();
    const from = hook('stats-from').value;
    const to = hook('stats-to').value;
    if (from && to && to < from) {
      showError('stats', new Error('to: the last day comes before the first'));
      hook('stats-to').setAttribute('aria-invalid', 'true');
      return;
    }
    $$('[aria-invalid=true]', hook('stats-form')).forEach((el) => el.removeAttribute('aria-invalid'));
    const params = statsParams();
    const request = ++state.statsRequest;
    result.setAttribute('aria-busy', 'true');
    try {
      const stats = await api('GET', `/api/v1/stats?${params}`);
      if (request !== state.statsRequest) return;
      state.lastStats = [stats || {}, params];
      renderStats(...state.lastStats);
      result.dataset.loaded = params.toString();
    } catch (e) {
      if (request === state.statsRequest && e.status !== 401 && e.status !== 403) {
        showError('stats', e);
        const field = /^(\w+):/.exec(e.message);
        const input = field && { from: 'stats-from', to: 'stats-to', queue: 'stats-queue', groupBy: 'stats-group', tz: 'stats-tz' }[field[1]];
        if (input) hook(input).setAttribute('aria-invalid', 'true');
      }
    } finally {
      if (request === state.statsRequest) result.setAttribute('aria-busy', 'false');
    }
  }

  function renderStats(stats, params) {
    const from = params.get('from');
    const toExclusive = params.get('to');
    const queue = params.get('queue');
    const rangeText = from && toExclusive
      ? `${LONG_DAY_LABEL.format(dayToDate(from))} to ${LONG_DAY_LABEL.format(dayToDate(addDays(toExclusive, -1)))}`
      : 'The last 7 days';
    hook('stats-range').textContent = `${rangeText}${queue ? `, chats asked on ${queue}` : ', all queues'} (${params.get('tz') || 'UTC'}).`;
    renderTotals(stats.totals || {});
    renderChart(stats.series || [], params);
    renderQueueTable(hook('stats-by-recorded'), stats.byRecordedQueue || []);
    renderQueueTable(hook('stats-by-answered'), stats.byAnsweredQueue || []);
    renderOperatorTable(hook('stats-by-operator'), stats.byOperator || []);
  }

  function percent(part, whole) {
    if (part == null || !whole) return null;
    return `${Math.round((100 * part) / whole)}% of asked`;
  }

  function renderTotals(m) {
    const depth = m.rolloverDepth && typeof m.rolloverDepth === 'object'
      ? Object.entries(m.rolloverDepth).sort(([a], [b]) => Number(a) - Number(b))
        .filter(([, n]) => n).map(([d, n]) => `${n} to backup ${d}`).join(' · ')
      : '';
    const cards = [
      ['asked', 'Asked', count(m.asked), 'chats started'],
      ['answered', 'Answered', count(m.answered), percent(m.answered, m.asked)],
      ['abandoned', 'Abandoned', count(m.abandoned), 'left while nobody was free'],
      ['missed', 'Missed', count(m.missed), 'offered, nobody answered'],
      ['offline', 'Offline', count(m.offline), 'asked while closed'],
      ['rolledOver', 'Rolled over', count(m.rolledOver), depth || 'went to a backup queue'],
      ['waitMedianSeconds', 'Median wait', duration(m.waitMedianSeconds), 'before an operator answered'],
      ['waitP90Seconds', '90% waited less than', duration(m.waitP90Seconds), 'before an operator answered'],
      ['lengthMedianSeconds', 'Median length', duration(m.lengthMedianSeconds), 'of an answered chat'],
    ];
    hook('stats-totals').replaceChildren(...cards.map(([metric, label, value, sub]) =>
      h('div', { class: metric.endsWith('Seconds') ? 'stat stat--time' : 'stat', sb: 'stats-total', 'data-metric': metric, 'data-value': m[metric] == null ? '' : String(m[metric]) },
        h('span', { class: 'stat__label', text: label }),
        h('span', { class: 'stat__value', sb: 'stats-value', text: value }),
        h('span', { class: 'stat__sub', sb: 'stats-sub', text: sub || ' ' }))));
  }

  /** Every period of the range, so quiet days show as gaps rather than vanish. */
  function periodsOf(params, hourly) {
    const from = params.get('from');
    const to = params.get('to');
    if (!from || !to || !/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return [];
    const out = [];
    for (let day = from; day < to; day = addDays(day, 1)) {
      if (hourly) {
        for (let hour = 0; hour < 24; hour += 1) out.push(`${day}T${String(hour).padStart(2, '0')}`);
      } else {
        out.push(day);
      }
      if (out.length > MAX_FILLED_PERIODS) return [];
    }
    return out;
  }

  function periodLabel(period, hourly, first) {
    const day = period.slice(0, 10);
    const date = /^\d{4}-\d{2}-\d{2}$/.test(day) ? DAY_LABEL.format(dayToDate(day)) : period;
    if (!hourly) return date;
    const hour = period.slice(11, 13);
    return hour === '00' || first ? `${date} ${hour}:00` : `${hour}:00`;
  }

  function renderChart(series, params) {
    const hourly = params.get('groupBy') === 'hour';
    hook('stats-chart-title').textContent = hourly ? 'Chats per hour' : 'Chats per day';
    hook('stats-legend').replaceChildren(...SERIES.map((sr) => {
      const swatch = h('i');
      swatch.style.background = sr.colour;
      return h('li', null, swatch, h('span', { text: sr.label }));
    }));

    const byPeriod = new Map();
    for (const period of periodsOf(params, hourly)) byPeriod.set(period, { asked: 0, answered: 0, abandoned: 0, missed: 0 });
    for (const row of series) {
      if (!row || typeof row.period !== 'string') continue;
      const sum = byPeriod.get(row.period) || { asked: 0, answered: 0, abandoned: 0, missed: 0 };
      for (const sr of SERIES) sum[sr.key] += Number((row.metrics || {})[sr.key]) || 0;
      byPeriod.set(row.period, sum);
    }
    const periods = [...byPeriod.keys()].sort();

    const W = 1100;
    const H = 260;
    const M = { top: 12, right: 8, bottom: 30, left: 40 };
    const plotW = W - M.left - M.right;
    const plotH = H - M.top - M.bottom;
    const group = periods.length ? plotW / periods.length : plotW;
    // side-by-side bars while each is at least 4 units wide; past that (hours over days) the outcomes are
    // stacked inside a pale bar of the chats asked
    const dense = group * 0.74 < SERIES.length * 4;
    const [askedSeries, ...outcomes] = SERIES;
    const heightOf = (sums) => (dense
      ? Math.max(sums.asked, outcomes.reduce((n, sr) => n + sums[sr.key], 0))
      : Math.max(...SERIES.map((sr) => sums[sr.key])));
    const max = Math.max(0, ...periods.map((p) => heightOf(byPeriod.get(p))));
    const step = niceStep(max);
    const top = Math.max(step, Math.ceil(max / step) * step);
    const y = (v) => M.top + plotH - (v / top) * plotH;

    const svg = s('svg', {
      viewBox: `0 0 ${W} ${H}`, role: 'img', sb: 'stats-chart-svg', 'data-layout': dense ? 'stacked' : 'grouped',
      'aria-label': `${hourly ? 'Hourly' : 'Daily'} chats: asked, answered, abandoned and missed`,
    });
    for (let v = 0; v <= top; v += step) {
      svg.append(s('line', { class: v === 0 ? 'axis' : 'grid', x1: M.left, x2: W - M.right, y1: y(v), y2: y(v) }));
      svg.append(s('text', { class: 'tick', x: M.left - 8, y: y(v) + 4, 'text-anchor': 'end', text: String(v) }));
    }
    if (!periods.length || max === 0) {
      svg.append(s('text', { class: 'none', x: M.left + plotW / 2, y: M.top + plotH / 2, 'text-anchor': 'middle', text: 'No chats in this period.' }));
    }
    const bar = (period, label, sr, v, x, width, bottom, extra) => {
      const rect = s('rect', {
        class: 'bar', sb: 'stats-bar', 'data-period': period, 'data-metric': sr.key, 'data-value': v,
        x, y: y(bottom + v), width: Math.max(1, width), height: y(bottom) - y(bottom + v), rx: width > 6 ? 2 : 0, ...extra,
      }, s('title', { text: `${label} · ${sr.label.toLowerCase()}: ${v}` }));
      rect.style.fill = sr.colour;
      svg.append(rect);
    };
    const labelEvery = Math.max(1, Math.ceil(70 / group));
    periods.forEach((period, i) => {
      const sums = byPeriod.get(period);
      const label = periodLabel(period, hourly, i === 0);
      if (dense) {
        const width = Math.max(1, group * 0.8);
        const x = M.left + i * group + (group - width) / 2;
        if (sums.asked) bar(period, label, askedSeries, sums.asked, x, width, 0, { 'fill-opacity': 0.28 });
        let bottom = 0;
        for (const sr of outcomes) {
          if (sums[sr.key]) bar(period, label, sr, sums[sr.key], x, width, bottom);
          bottom += sums[sr.key];
        }
      } else {
        const inner = group * 0.74;
        const barW = inner / SERIES.length;
        const x0 = M.left + i * group + (group - inner) / 2;
        SERIES.forEach((sr, k) => {
          if (sums[sr.key]) bar(period, label, sr, sums[sr.key], x0 + k * barW, barW - (barW > 4 ? 1 : 0), 0);
        });
      }
      if (i % labelEvery === 0) {
        svg.append(s('text', {
          class: 'tick', x: M.left + i * group + group / 2, y: H - M.bottom + 18, 'text-anchor': 'middle', text: label,
        }));
      }
    });
    hook('stats-chart').replaceChildren(svg);
    hook('stats-chart-note').hidden = !dense || max === 0;
  }

  /** 1, 2, 5, 10, 20, 50 … so that there are at most five grid lines. */
  function niceStep(max) {
    if (max <= 5) return 1;
    const raw = max / 5;
    const pow = 10 ** Math.floor(Math.log10(raw));
    for (const f of [1, 2, 5, 10]) {
      if (f * pow >= raw) return f * pow;
    }
    return 10 * pow;
  }

  function renderQueueTable(table, rows) {
    const titles = queueMap();
    const head = h('thead', null, h('tr', null,
      h('th', { scope: 'col', text: 'Queue' }),
      ...TABLE_METRICS.map(([, label]) => h('th', { scope: 'col', class: 'num', text: label }))));
    const body = h('tbody');
    for (const row of rows) {
      const m = row.metrics || {};
      const q = titles.get(row.queue);
      body.append(h('tr', { sb: 'stats-row', 'data-queue': row.queue },
        h('td', null, h('span', { class: 'cell__main', text: row.queue }),
          q && q.title ? h('span', { class: 'muted', text: ` ${q.title}` }) : null),
        ...TABLE_METRICS.map(([key, , kind]) => h('td', {
          class: 'num', 'data-metric': key, text: kind === 'time' ? duration(m[key]) : count(m[key]),
        }))));
    }
    if (!rows.length) {
      body.append(h('tr', null, h('td', { class: 'muted', colspan: TABLE_METRICS.length + 1, text: 'No chats in this period.' })));
    }
    table.replaceChildren(head, body);
  }

  function renderOperatorTable(table, rows) {
    const head = h('thead', null, h('tr', null,
      h('th', { scope: 'col', text: 'Operator' }),
      h('th', { scope: 'col', class: 'num', text: 'Answered' }),
      h('th', { scope: 'col', class: 'num', text: 'Median length' })));
    const body = h('tbody');
    for (const row of rows) {
      body.append(h('tr', { sb: 'stats-row', 'data-operator': row.operator },
        h('td', null, h('span', { class: 'cell__main', text: row.name || row.operator }),
          h('span', { class: 'muted', text: ` ${row.operator}` })),
        h('td', { class: 'num', 'data-metric': 'answered', text: count(row.answered) }),
        h('td', { class: 'num', 'data-metric': 'lengthMedianSeconds', text: duration(row.lengthMedianSeconds) })));
    }
    if (!rows.length) body.append(h('tr', null, h('td', { class: 'muted', colspan: 3, text: 'No answered chats in this period.' })));
    table.replaceChildren(head, body);
  }

  // ------------------------------------------------------------------ start

  function fillTimeZones() {
    let zones = [];
    try {
      zones = Intl.supportedValuesOf('timeZone');
    } catch (e) {
      zones = [];
    }
    if (!zones.includes('UTC')) zones = ['UTC', ...zones];
    hook('time-zones').replaceChildren(...zones.map((z) => h('option', { value: z })));
  }

  function wire() {
    hook('admin-login-form').addEventListener('submit', onLoginSubmit);
    hook('admin-denied-back').addEventListener('click', () => showLogin());
    hook('admin-logout').addEventListener('click', logout);
    window.addEventListener('hashchange', () => {
      if (state.token) showSection(sectionFromHash());
    });

    hook('queue-add').addEventListener('click', () => openQueueForm(null));
    hook('queue-form').addEventListener('submit', onQueueSubmit);
    hook('queue-cancel').addEventListener('click', closeQueueForm);
    hook('queue-cancel-bottom').addEventListener('click', closeQueueForm);
    hook('queue-name').addEventListener('input', () => { if (state.queueEdit) renderBackups(); });
    hook('queue-title').addEventListener('input', renderSkin);
    hook('queue-backup-add').addEventListener('click', () => {
      const name = hook('queue-backup-select').value;
      if (name && !state.queueEdit.backups.includes(name)) state.queueEdit.backups.push(name);
      renderBackups();
      hook('queue-backup-select').focus();
    });
    hook('queue-hours-enabled').addEventListener('change', onHoursToggle);
    hook('queue-closed-add').addEventListener('click', addClosedDate);
    hook('queue-closed-date').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        addClosedDate();
      }
    });
    for (const name of ['queue-skin-enabled', 'queue-skin-text-auto']) hook(name).addEventListener('change', renderSkin);
    for (const name of ['queue-skin-title', 'queue-skin-color', 'queue-skin-text-color', 'queue-skin-greeting']) {
      hook(name).addEventListener('input', renderSkin);
    }

    hook('operator-add').addEventListener('click', () => openOperatorForm(null));
    hook('operator-form').addEventListener('submit', onOperatorSubmit);
    hook('operator-cancel').addEventListener('click', closeOperatorForm);
    hook('operator-cancel-bottom').addEventListener('click', closeOperatorForm);

    hook('stats-form').addEventListener('submit', (e) => {
      e.preventDefault();
      loadStats();
    });
    hook('stats-form').addEventListener('input', updateCsvLink);
    for (const name of ['stats-queue', 'stats-group']) hook(name).addEventListener('change', loadStats);
  }

  function init() {
    fillTimeZones();
    initStatsFilters();
    wire();
    const token = readSession(TOKEN_KEY);
    let operator = null;
    try {
      operator = JSON.parse(readSession(OPERATOR_KEY) || 'null');
    } catch (e) {
      operator = null;
    }
    if (token && operator) startSession(token, operator);
    else showLogin();
  }

  init();
})();
