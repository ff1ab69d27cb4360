// The open conversation: header (members, patient, retention, export, end), messages, compose.
import { api, downloadBlob } from './api.js';
import { createCompose } from './compose.js';
import { directorySearch } from './directory.js';
import { confirmDialog, h, notify } from './dom.js';
import { conversationTitle, formatOn, memberName, patientDetails, sameAddress } from './format.js';
import { renderMessage } from './messages.js';

const RETENTIONS = [[3600, '1 heure'], [86400, '1 jour'], [604800, '7 jours'], [2592000, '30 jours']];
const NEAR_BOTTOM_PX = 80;
const PAGE = 100; // messages shown at first, and added by "plus anciens"
const MAX_SHOWN = 1000; // the API's largest page

const durationLabel = (seconds) => (seconds >= 86400
  ? `${Math.round(seconds / 86400)} j`
  : `${Math.round(seconds / 3600)} h`);

export class ConversationView {
  #root;
  #me;
  #onChanged;
  #onBack;
  #id = null;
  #headerKey = '';
  #nodes = new Map(); // message id → { key, node }: unchanged messages keep their element
  #marking = new Set(); // Message-IDs already sent to POST /api/receipts
  #membersOpen = false;
  #limit = PAGE; // the latest messages shown; grows when older ones are asked for
  #header;
  #membersPanel;
  #list;
  #compose;
  #memberSearch;

  /** me(): own address; onChanged(): something changed here, refresh; onBack(): back to the list. */
  constructor(root, { me, onChanged, onBack }) {
    this.#root = root;
    this.#me = me;
    this.#onChanged = onChanged;
    this.#onBack = onBack;
    this.#showPlaceholder();
  }

  get id() {
    return this.#id;
  }

  async open(id) {
    if (id !== this.#id) this.#build(id);
    await this.refresh();
  }

  close() {
    this.#compose?.reset();
    this.#id = null;
    this.#showPlaceholder();
  }

  /** Re-reads the conversation and its messages, then marks what arrived as read. */
  async refresh() {
    const id = this.#id;
    if (id === null) return;
    const [conversation, messages] = await Promise.all([
      api.get(`/api/conversations/${id}`),
      api.get(`/api/conversations/${id}/messages?limit=${this.#limit}`),
    ]);
    if (id !== this.#id) return;
    this.#renderHeader(conversation);
    this.#renderMessages(messages);
    this.#compose.setEnded(Boolean(conversation.endedAt));
    await this.#markRead(messages);
  }

  #showPlaceholder() {
    this.#root.replaceChildren(h('div', { class: 'placeholder' },
      h('p', {}, 'Choisissez une conversation, ou recherchez un professionnel pour en commencer une.')));
  }

  #build(id) {
    this.#compose?.reset();
    this.#id = id;
    this.#headerKey = '';
    this.#nodes = new Map();
    this.#marking.clear();
    this.#membersOpen = false;
    this.#limit = PAGE;
    this.#compose = createCompose((message) => this.#send(id, message));
    this.#memberSearch = directorySearch({
      testid: 'member-search', resultTestid: 'member-result',
      label: 'Ajouter un membre : rechercher dans l’annuaire…', onPick: (entry) => this.#addMember(id, entry.address),
    });
    this.#header = h('header', { class: 'conversation-header' });
    this.#membersPanel = h('section', { class: 'members-panel', hidden: true, 'aria-label': 'Membres du groupe' });
    this.#list = h('ol', { class: 'messages', role: 'log', 'aria-label': 'Messages' },
      h('li', { class: 'muted empty' }, 'Chargement…'));
    this.#root.replaceChildren(this.#header, this.#membersPanel, this.#list, this.#compose.element);
  }

  #renderHeader(conversation) {
    const { id, kind, members, patient, endedAt } = conversation;
    const key = JSON.stringify([conversation.name, members, conversation.memberNames, patient, conversation.retentionSeconds, endedAt]);
    if (key === this.#headerKey) return;
    this.#headerKey = key;
    const ended = Boolean(endedAt);
    const group = kind === 'group';

    const membersToggle = group && h('button', {
      type: 'button', class: 'link', testid: 'members-toggle', 'aria-expanded': String(this.#membersOpen),
      onclick: () => {
        this.#membersOpen = !this.#membersOpen;
        this.#membersPanel.hidden = !this.#membersOpen;
        membersToggle.setAttribute('aria-expanded', String(this.#membersOpen));
      },
    }, `${members.length} membres`);

    this.#header.replaceChildren(
      h('button', { type: 'button', class: 'back', 'aria-label': 'Retour aux conversations', onclick: this.#onBack }, '←'),
      h('div', { class: 'header-main' },
        h('h2', { class: 'conversation-title', testid: 'conversation-title' }, conversationTitle(conversation, this.#me())),
        patient && h('p', { class: 'header-patient', testid: 'conversation-patient' }, `Patient : ${patientDetails(patient)}`),
        group && h('p', { class: 'header-members' }, membersToggle,
          ` · ${members.map((address) => memberName(conversation, address)).join(', ')}`),
        ended && h('p', { class: 'tag ended' }, `Conversation terminée ${formatOn(endedAt)}`)),
      h('div', { class: 'header-actions' },
        this.#retentionSelect(conversation, ended),
        h('button', { type: 'button', testid: 'export', onclick: () => this.#export(id) }, 'Exporter vers le dossier patient'),
        h('button', {
          type: 'button', class: 'danger', testid: 'end-conversation', disabled: ended, onclick: () => this.#end(id),
        }, 'Effacer maintenant pour tous')));
    this.#renderMembers(conversation, group, ended);
  }

  #retentionSelect({ id, retentionSeconds }, ended) {
    const options = RETENTIONS.some(([seconds]) => seconds === retentionSeconds)
      ? RETENTIONS
      : [...RETENTIONS, [retentionSeconds, durationLabel(retentionSeconds)]];
    const select = h('select', {
      testid: 'retention', disabled: ended, 'aria-label': 'Durée de conservation des messages',
      onchange: async () => {
        const changed = await this.#act(() => api.put(`/api/conversations/${id}/retention`, { seconds: Number(select.value) }));
        if (!changed) select.value = String(retentionSeconds);
      },
    }, options.map(([seconds, label]) => h('option', { value: seconds, selected: seconds === retentionSeconds }, label)));
    return h('label', { class: 'retention', title: 'Durée de vie des prochains messages, pour tous les membres' },
      h('span', {}, 'Conservation'), select);
  }

  #renderMembers(conversation, group, ended) {
    const { id, members } = conversation;
    this.#membersPanel.hidden = !(group && this.#membersOpen);
    if (!group) return;
    const me = this.#me();
    this.#membersPanel.replaceChildren(
      h('ul', { class: 'member-list' }, members.map((address) => h('li', { testid: 'member', 'data-address': address },
        h('span', { class: 'member-name' }, memberName(conversation, address)),
        memberName(conversation, address) !== address && h('span', { class: 'member-address' }, address),
        sameAddress(address, me)
          ? h('span', { class: 'muted' }, '(vous)')
          : !ended && h('button', {
            type: 'button', class: 'link danger', testid: 'member-remove', onclick: () => this.#removeMember(id, address),
          }, 'Retirer')))),
      !ended && this.#memberSearch.element);
  }

  #renderMessages(messages) {
    const list = this.#list;
    const stick = this.#nodes.size === 0 || list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
    const nodes = new Map();
    const children = messages.map((message) => {
      const key = JSON.stringify(message);
      const cached = this.#nodes.get(message.id);
      const node = cached?.key === key ? cached.node : renderMessage(message);
      nodes.set(message.id, { key, node });
      return node;
    });
    this.#nodes = nodes;
    // A full page may have older messages before it: a button fetches them, keeping what is on screen in place.
    const older = messages.length >= this.#limit && this.#limit < MAX_SHOWN && h('li', { class: 'older' },
      h('button', { type: 'button', class: 'link', testid: 'older-messages', onclick: () => this.#showOlder() },
        'Afficher les messages plus anciens'));
    list.replaceChildren(...(children.length ? [older, ...children].filter(Boolean)
      : [h('li', { class: 'muted empty' }, 'Aucun message pour le moment.')]));
    if (stick) list.scrollTop = list.scrollHeight;
  }

  async #showOlder() {
    const list = this.#list;
    const fromBottom = list.scrollHeight - list.scrollTop;
    this.#limit = Math.min(MAX_SHOWN, this.#limit + PAGE);
    await this.refresh();
    list.scrollTop = list.scrollHeight - fromBottom;
  }

  /** Posts read receipts for received, unread messages while the page is visible. */
  async #markRead(messages) {
    if (document.visibilityState !== 'visible') return;
    const ids = messages
      .filter((m) => m.direction === 'incoming' && !m.readAt && !m.expiredAt && !this.#marking.has(m.messageId))
      .map((m) => m.messageId);
    if (ids.length === 0) return;
    ids.forEach((id) => this.#marking.add(id));
    if (!await this.#act(() => api.post('/api/receipts', { messageIds: ids }))) {
      ids.forEach((id) => this.#marking.delete(id));
    }
  }

  /** Runs a change; on success asks for a refresh, on failure shows the problem's detail. */
  async #act(change) {
    try {
      await change();
    } catch (error) {
      notify(error.message);
      return false;
    }
    this.#onChanged();
    return true;
  }

  async #send(id, message) {
    await api.post(`/api/conversations/${id}/messages`, message);
    this.#onChanged();
  }

  async #addMember(id, address) {
    if (await this.#act(() => api.post(`/api/conversations/${id}/members`, { address }))) this.#memberSearch.clear();
  }

  async #removeMember(id, address) {
    const confirmed = await confirmDialog({
      title: 'Retirer ce membre ?',
      message: `${address} ne recevra plus les messages de ce groupe. Les autres membres en seront informés.`,
      confirmLabel: 'Retirer',
      danger: true,
    });
    if (confirmed) await this.#act(() => api.delete(`/api/conversations/${id}/members/${encodeURIComponent(address)}`));
  }

  async #export(id) {
    try {
      downloadBlob(await api.blob(`/api/conversations/${id}/export`), `miss-conversation-${id}.fhir.json`);
    } catch (error) {
      notify(error.message);
    }
  }

  async #end(id) {
    const confirmed = await confirmDialog({
      title: 'Effacer maintenant pour tous ?',
      message: 'Cette conversation sera effacée pour tous ses membres, pas seulement pour vous : les messages, photos '
        + 'et documents disparaîtront de chaque poste et du serveur de messagerie, et plus personne ne pourra y écrire. '
        + 'Exportez d’abord vers le dossier patient ce qui doit être conservé. Cette action est définitive.',
      confirmLabel: 'Effacer pour tous',
      danger: true,
    });
    if (confirmed) await this.#act(() => api.post(`/api/conversations/${id}/end`));
  }
}
