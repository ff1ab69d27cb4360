// MiSS web client: routing (#/conversations/ID), status, conversation list, live events.
import { api, onUnauthorized, SESSION_EXPIRED } from './api.js';
import { ConversationView } from './conversation.js';
import { h, notify } from './dom.js';
import { updateCountdowns } from './format.js';
import { newConversationPanel, renderConversationList } from './list.js';

const STATUS_POLL_MS = 30000;
const COUNTDOWN_MS = 60000;
const EVENT_RETRY_MS = 5000;
const EVENT_NAMES = ['message', 'state', 'expired', 'conversation'];

const $ = (id) => document.getElementById(id);
const state = { me: null, conversations: [], sessionExpired: false };

const view = new ConversationView($('conversation-pane'), {
  me: () => state.me,
  onChanged: () => queueRefresh(true),
  onBack: () => navigate(null),
});

function navigate(id) {
  location.hash = id === null ? '#/' : `#/conversations/${id}`;
}

function routeId() {
  const match = /^#\/conversations\/(\d+)$/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

async function route() {
  const id = routeId();
  document.body.classList.toggle('conversation-open', id !== null);
  renderConversationList($('conversation-list'), state.conversations, state.me, id);
  if (id === null) view.close();
  else await guard(view.open(id));
}

/** Shows a failure; a conversation that no longer exists sends back to the list. */
async function guard(promise) {
  try {
    await promise;
  } catch (error) {
    if (error.status === 401) return;
    notify(error.message);
    if (error.status === 404 && view.id !== null) navigate(null);
  }
}

async function refreshList() {
  state.conversations = await api.get('/api/conversations');
  renderConversationList($('conversation-list'), state.conversations, state.me, view.id);
  const unread = state.conversations.reduce((sum, conversation) => sum + (conversation.unread ?? 0), 0);
  document.title = unread > 0 ? `(${unread}) MiSS` : 'MiSS';
}

/** What the status bar says of a downloaded source whose last refresh failed, by kind. */
const STALE_SOURCE = {
  'white-list': 'Liste blanche MSSanté non mise à jour',
  directory: 'Annuaire national non mis à jour',
  crl: 'Liste de révocation non mise à jour',
};

/**
 * A downloaded source (the MSSanté white list, a CA's revocation list, the national directory) whose last refresh
 * failed: the last good copy is still in use, but the practitioner should know it may be getting old.
 */
function trustWarnings(sources) {
  return sources.filter((source) => source.lastError).map((source) => h('span', {
    class: 'status-trust warn', testid: 'trust-status', title: source.lastError,
  }, (STALE_SOURCE[source.kind] ?? STALE_SOURCE.crl)
    + (source.lastSuccess ? ` depuis le ${new Date(source.lastSuccess).toLocaleString('fr-FR')}` : '')));
}

/** The status bar: whose mailbox, and whether its inbox is connected. Failures show there, not as toasts. */
async function refreshStatus() {
  let status;
  try {
    status = await api.get('/api/status');
  } catch (error) {
    if (error.status !== 401) $('status').replaceChildren(h('span', { class: 'status-inbox warn' }, error.message));
    return;
  }
  state.me = status.mailbox;
  $('status').replaceChildren(
    h('span', { class: 'status-account', testid: 'status-account' },
      status.displayName ? `${status.displayName} · ${status.mailbox}` : status.mailbox),
    h('span', { class: `status-inbox ${status.inboxConnected ? 'ok' : 'warn'}`, testid: 'inbox-status' },
      status.inboxConnected ? 'Boîte connectée' : `Boîte déconnectée${status.inboxError ? ` : ${status.inboxError}` : ''}`),
    ...(status.queued > 0 ? [h('span', { class: 'status-queued' }, `${status.queued} en attente d'envoi`)] : []),
    ...trustWarnings(status.trustSources ?? []));
}

// Events come in bursts (a group message, its receipts): coalesce them into one refresh.
let refreshTimer = 0;
let refreshOpen = false;

function queueRefresh(open) {
  refreshOpen ||= open;
  refreshTimer ||= setTimeout(async () => {
    const withOpen = refreshOpen;
    refreshTimer = 0;
    refreshOpen = false;
    await Promise.all([guard(refreshList()), withOpen && guard(view.refresh())]);
  }, 150);
}

function connectEvents() {
  const source = new EventSource('/api/events');
  const banner = $('connection-lost');
  source.addEventListener('open', () => {
    banner.hidden = true;
    // Catch up with what happened before the stream was open (the first load races with it) or while disconnected.
    queueRefresh(true);
  });
  source.addEventListener('error', () => {
    banner.hidden = state.sessionExpired;
    // The browser retries by itself after a network error, but gives up after an HTTP error (such as 401).
    if (source.readyState === EventSource.CLOSED) {
      setTimeout(() => refreshStatus().then(() => state.sessionExpired || connectEvents()), EVENT_RETRY_MS);
    }
  });
  for (const name of EVENT_NAMES) {
    source.addEventListener(name, (event) => {
      const { conversationId } = JSON.parse(event.data);
      queueRefresh(conversationId == null || Number(conversationId) === view.id);
    });
  }
}

onUnauthorized(() => {
  if (state.sessionExpired) return;
  state.sessionExpired = true;
  document.body.classList.add('session-expired');
  $('session-expired').textContent = SESSION_EXPIRED;
  $('session-expired').hidden = false;
  $('connection-lost').hidden = true;
});

async function start() {
  $('new-conversation').append(newConversationPanel({
    onCreate: async (body) => {
      const conversation = await api.post('/api/conversations', body);
      await guard(refreshList());
      navigate(conversation.id);
    },
  }));
  await refreshStatus();
  if (state.sessionExpired) return;
  await guard(refreshList());
  await route();
  window.addEventListener('hashchange', route);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && view.id !== null) guard(view.refresh());
  });
  setInterval(updateCountdowns, COUNTDOWN_MS);
  setInterval(() => state.sessionExpired || refreshStatus(), STATUS_POLL_MS);
  connectEvents();
}

start();
