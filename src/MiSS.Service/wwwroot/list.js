// The conversation list and the panel that starts a conversation (direct or group).
import { directorySearch } from './directory.js';
import { h, notify } from './dom.js';
import {
  conversationTitle, countdown, formatShortWhen, patientSummary, sameAddress,
} from './format.js';

/** Renders the list; the active conversation is highlighted. */
export function renderConversationList(container, conversations, me, activeId) {
  container.replaceChildren(...(conversations.length
    ? conversations.map((conversation) => conversationItem(conversation, me, activeId))
    : [h('li', { class: 'muted empty' }, 'Aucune conversation. Recherchez un professionnel pour en commencer une.')]));
}

function conversationItem(conversation, me, activeId) {
  const active = conversation.id === activeId;
  return h('li', {},
    h('a', {
      href: `#/conversations/${conversation.id}`, class: `conversation-item${active ? ' active' : ''}`,
      testid: 'conversation-item', 'data-conversation-id': conversation.id, 'aria-current': active ? 'page' : null,
    },
    h('span', { class: 'item-line' },
      h('span', { class: 'item-title' }, conversationTitle(conversation, me)),
      conversation.lastMessageAt && h('time', { class: 'item-time', datetime: conversation.lastMessageAt },
        formatShortWhen(conversation.lastMessageAt))),
    conversation.patient && h('span', { class: 'item-patient' }, patientSummary(conversation.patient)),
    h('span', { class: 'item-line' },
      h('span', { class: 'item-preview' }, preview(conversation, me)),
      conversation.unread > 0 && h('span', {
        class: 'badge', testid: 'unread', title: `${conversation.unread} non lu(s)`,
      }, String(conversation.unread))),
    conversation.endedAt
      ? h('span', { class: 'tag ended' }, 'terminée')
      : conversation.nextExpiry && countdown(conversation.nextExpiry)));
}

function preview(conversation, me) {
  const last = conversation.lastMessage;
  if (!last) return 'Aucun message';
  const text = last.text || '(sans texte)';
  if (sameAddress(last.sender, me)) return `Vous : ${text}`;
  return conversation.kind === 'group' ? `${last.sender.split('@')[0]} : ${text}` : text;
}

/** The directory search with optional patient fields; onCreate(body) posts it and throws on failure. */
export function newConversationPanel({ onCreate }) {
  const members = new Map();
  let groupMode = false;

  const search = directorySearch({
    testid: 'directory-search', resultTestid: 'directory-result',
    label: 'Rechercher un professionnel (nom, RPPS, ville)…', onPick: pick,
  });
  const hint = h('p', { class: 'hint' });
  const patient = patientFields();
  const groupName = h('input', {
    type: 'text', required: true, maxlength: 120, testid: 'group-name',
    placeholder: 'Nom du groupe (ex. Sortie de M. L.)', 'aria-label': 'Nom du groupe',
  });
  const chips = h('ul', { class: 'chips', 'aria-label': 'Membres du groupe' });
  const groupForm = h('form', { class: 'group-form', hidden: true, onsubmit: createGroup },
    h('h3', {}, 'Nouveau groupe'), groupName, chips,
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'primary', testid: 'group-create' }, 'Créer le groupe'),
      h('button', { type: 'button', onclick: () => setGroupMode(false) }, 'Annuler')));
  const groupButton = h('button', {
    type: 'button', class: 'link', testid: 'group-new', onclick: () => setGroupMode(true),
  }, 'Créer un groupe…');

  function setGroupMode(on) {
    groupMode = on;
    groupForm.hidden = !on;
    groupButton.hidden = on;
    hint.textContent = on
      ? 'Cliquez sur un résultat pour l’ajouter au groupe.'
      : 'Cliquez sur un résultat pour lui écrire.';
    if (on) {
      groupName.focus();
    } else {
      members.clear();
      groupName.value = '';
      renderChips();
    }
  }

  function renderChips() {
    chips.replaceChildren(...[...members.values()].map((entry) => h('li', { class: 'chip' },
      entry.displayName || entry.address,
      h('button', {
        type: 'button', class: 'chip-remove', 'aria-label': `Retirer ${entry.address}`,
        onclick: () => { members.delete(entry.address); renderChips(); },
      }, '×'))));
  }

  async function pick(entry) {
    if (groupMode) {
      members.set(entry.address, entry);
      renderChips();
      return;
    }
    await create({ peer: entry.address });
  }

  async function createGroup(event) {
    event.preventDefault();
    if (members.size === 0) {
      notify('Ajoutez au moins un membre au groupe.');
      return;
    }
    await create({ name: groupName.value.trim(), members: [...members.keys()] });
  }

  async function create(body) {
    try {
      const details = patient.read();
      await onCreate(details ? { ...body, patient: details } : body);
      search.clear();
      patient.clear();
      setGroupMode(false);
    } catch (error) {
      notify(error.message);
    }
  }

  setGroupMode(false);
  return h('section', { class: 'new-conversation', 'aria-label': 'Nouvelle conversation' },
    search.element, hint, groupButton, groupForm, patient.element);
}

const INS_OIDS = [
  ['1.2.250.1.213.1.4.8', 'NIR'], ['1.2.250.1.213.1.4.9', 'NIA'],
  ['1.2.250.1.213.1.4.10', 'test'], ['1.2.250.1.213.1.4.11', 'démonstration'],
];

/** Optional patient identity: family and given names are required once anything is filled. */
function patientFields() {
  const field = (label, props) => {
    const input = h('input', { ...props, 'aria-label': label });
    return { input, label: h('label', {}, h('span', {}, label), input) };
  };
  const family = field('Nom', { type: 'text', autocomplete: 'off', testid: 'patient-family' });
  const given = field('Prénom', { type: 'text', autocomplete: 'off', testid: 'patient-given' });
  const birth = field('Date de naissance', { type: 'date', testid: 'patient-birth' });
  const ins = field('INS (matricule et clé)', {
    type: 'text', inputmode: 'numeric', pattern: '[0-9]{15}', autocomplete: 'off', testid: 'patient-ins',
  });
  const oid = h('select', { 'aria-label': 'Type d’INS', testid: 'patient-ins-oid' },
    INS_OIDS.map(([value, text]) => h('option', { value }, text)));
  const inputs = [family.input, given.input, birth.input, ins.input];

  return {
    element: h('details', { class: 'patient-fields' },
      h('summary', {}, 'Patient concerné (facultatif)'),
      family.label, given.label, birth.label, ins.label,
      h('label', {}, h('span', {}, 'Type d’INS'), oid)),
    read() {
      if (inputs.every((input) => !input.value.trim())) return null;
      if (!family.input.value.trim() || !given.input.value.trim()) {
        throw new Error('Indiquez au moins le nom et le prénom du patient.');
      }
      const insValue = ins.input.value.replace(/\s/g, '');
      return {
        family: family.input.value.trim(),
        given: given.input.value.trim(),
        ...(birth.input.value && { birth: birth.input.value }),
        ...(insValue && { ins: insValue, insOid: oid.value }),
      };
    },
    clear() {
      inputs.forEach((input) => { input.value = ''; });
    },
  };
}
