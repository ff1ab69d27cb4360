// One message: a bubble (text, attachments, signer or delivery ticks) or a centred system line.
import { h } from './dom.js';
import { formatOn, formatSize, formatWhen } from './format.js';

const THUMBNAIL_BOX = 220;
const RANK = { queued: 0, sent: 1, delivered: 2, read: 3 };
const STATE_LABELS = { queued: 'en attente', sent: '✓ envoyé', delivered: '✓✓ distribué', read: '✓✓ lu' };
const SYSTEM_FALLBACK = {
  membership: 'Les membres de la conversation ont changé.',
  retention: 'La durée de conservation a changé.',
  end: 'La conversation a été effacée pour tous.',
};

export function renderMessage(message) {
  return message.kind === 'text' ? bubble(message) : systemLine(message);
}

function messageProps(message, className) {
  return {
    class: className, testid: 'message', 'data-message-id': message.messageId, 'data-id': message.id,
    'data-direction': message.direction, 'data-kind': message.kind,
  };
}

function bubble(message) {
  const outgoing = message.direction === 'outgoing';
  return h('li', messageProps(message, `message ${outgoing ? 'outgoing' : 'incoming'}`),
    h('div', { class: 'message-meta' },
      h('span', { class: 'message-sender' }, outgoing ? 'Vous' : senderName(message)),
      h('time', { datetime: message.createdAt }, formatWhen(message.createdAt))),
    message.expiredAt
      ? h('p', { class: 'message-erased' }, `Message effacé ${formatOn(message.expiredAt)}`)
      : [
        message.text && h('p', { class: 'message-text', testid: 'message-text' }, message.text),
        message.attachments?.length > 0
          && h('ul', { class: 'attachments' }, message.attachments.map((attachment) => h('li', {}, renderAttachment(attachment)))),
      ],
    outgoing ? deliveryState(message) : signerLine(message),
    message.protection === 'transport' && !message.expiredAt && transportNote(message, outgoing),
    message.expiresAt && !message.expiredAt
      && h('p', { class: 'message-expiry' }, `s'efface ${formatOn(message.expiresAt)}`));
}

function systemLine(message) {
  return h('li', messageProps(message, 'system-line'),
    h('p', {},
      h('span', { class: 'message-text', testid: 'message-text' }, message.text || SYSTEM_FALLBACK[message.kind] || ''),
      ' · ',
      h('time', { datetime: message.createdAt }, formatWhen(message.createdAt))),
    message.direction === 'incoming' && signerLine(message));
}

/** The verified signer's name, else the raw address: an unverified name proves nothing. */
function senderName(message) {
  return message.signature?.verified && message.signature.signerName ? message.signature.signerName : message.sender;
}

function signerLine({ signature, sender }) {
  if (signature?.verified) {
    const rpps = signature.signerRpps ? ` (RPPS ${signature.signerRpps})` : '';
    return [h('p', { class: 'signer verified', testid: 'message-signer', 'data-verified': 'true' },
      `Signé par ${signature.signerName || sender}${rpps}`), directoryLine(signature.directory)];
  }
  return h('p', { class: 'signer unverified', role: 'note', testid: 'message-signer', 'data-verified': 'false' },
    `Signature NON vérifiée : ${signature?.detail || 'aucune signature'}`);
}

/** Said plainly: servers on the way could read this message (MiSS:Security:AllowTransportOnly). */
function transportNote(message, outgoing) {
  const count = (message.recipients ?? []).filter((r) => r.protection === 'transport').length;
  const text = outgoing
    ? `Envoyé sans chiffrement de bout en bout à ${count} destinataire${count > 1 ? 's' : ''} (certificat inconnu) : `
      + 'protégé par le seul chiffrement du transport MSSanté'
    : 'Reçu sans chiffrement de bout en bout : protégé par le seul chiffrement du transport MSSanté';
  return h('p', { class: 'protection transport', role: 'note', testid: 'message-protection', 'data-protection': 'transport' }, text);
}

/** The verified signer against the directory: a warning when they differ, a discreet note when the address is not listed. */
function directoryLine(check) {
  if (check?.status === 'mismatch') {
    return h('p', { class: 'signer directory-mismatch', role: 'alert', testid: 'signer-directory', 'data-status': 'mismatch' },
      `Identité du signataire différente de l'annuaire : ${check.detail}`);
  }
  if (check?.status === 'absent') {
    return h('p', { class: 'signer directory-absent', testid: 'signer-directory', 'data-status': 'absent' }, 'absent de l\'annuaire');
  }
  return null;
}

function renderAttachment(attachment) {
  if (attachment.refusedReason) {
    return h('p', { class: 'attachment refused' }, `${attachment.fileName} refusé : ${attachment.refusedReason}`);
  }
  const url = `/api/attachments/${encodeURIComponent(attachment.id)}`;
  if (attachment.hasThumbnail) {
    return h('a', { href: url, class: 'attachment photo', title: `${attachment.fileName} (${formatSize(attachment.size)})` },
      h('img', {
        src: `${url}/thumbnail`, alt: `Photo ${attachment.fileName}`, testid: 'message-photo', loading: 'lazy',
        ...thumbnailSize(attachment),
      }));
  }
  return h('a', { href: url, class: 'attachment file', download: attachment.fileName },
    h('span', { class: 'file-icon', 'aria-hidden': 'true' }, 'fichier'),
    h('span', { class: 'file-name' }, attachment.fileName),
    h('span', { class: 'file-size' }, formatSize(attachment.size)));
}

/** Reserves the thumbnail's box so the list does not jump when it loads. */
function thumbnailSize({ width, height }) {
  if (!width || !height) return {};
  const scale = Math.min(1, THUMBNAIL_BOX / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/**
 * Ticks for an outgoing message: the least advanced recipient (failures counted apart), or the message's own state
 * when that is further along. Tapping shows the per-recipient details also given as the title.
 */
function deliveryState(message) {
  const recipients = message.recipients ?? [];
  const failed = recipients.filter((recipient) => recipient.state === 'failed');
  const pending = recipients.filter((recipient) => recipient.state !== 'failed');
  let state = Object.hasOwn(RANK, message.state) ? message.state : 'queued';
  if (message.state === 'failed' || (recipients.length > 0 && pending.length === 0)) {
    state = 'failed';
  } else if (pending.length > 0) {
    const least = pending.reduce((low, r) => (RANK[r.state] < RANK[low] ? r.state : low), 'read');
    if (RANK[least] > RANK[state]) state = least;
  }

  let label = state === 'failed'
    ? `échec : ${failed.map((r) => r.reason).find(Boolean) ?? message.error ?? 'envoi impossible'}`
    : STATE_LABELS[state];
  if (state !== 'failed' && failed.length > 0) label += ` · échec pour ${failed.length}`;
  const lines = recipients.map((r) => `${r.address} : ${recipientLabel(r)}`);
  const details = h('ul', { class: 'state-details', hidden: true }, lines.map((line) => h('li', {}, line)));
  return [
    h('button', {
      type: 'button', class: `message-state state-${state}${failed.length > 0 ? ' has-failure' : ''}`,
      testid: 'message-state', 'data-state': state, title: lines.join('\n') || null,
      onclick: () => { details.hidden = !details.hidden; },
    }, label),
    details,
  ];
}

function recipientLabel(recipient) {
  if (recipient.state === 'failed') return `échec : ${recipient.reason ?? 'envoi impossible'}`;
  const label = STATE_LABELS[recipient.state] ?? recipient.state;
  return recipient.protection === 'transport' ? `${label} (sans chiffrement de bout en bout)` : label;
}
