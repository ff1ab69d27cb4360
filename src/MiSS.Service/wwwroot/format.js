// French wording of dates, sizes, countdowns, titles and patient identity.
import { h } from './dom.js';

const timeFormat = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: '2-digit', year: 'numeric' });
const shortDateFormat = new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: '2-digit' });

const isToday = (date) => date.toDateString() === new Date().toDateString();

/** "14:05" today, "21/11/2025 14:05" otherwise. */
export function formatWhen(iso) {
  const date = new Date(iso);
  return isToday(date) ? timeFormat.format(date) : `${dateFormat.format(date)} ${timeFormat.format(date)}`;
}

/** Compact form for the conversation list: "14:05" today, "21/11" otherwise. */
export function formatShortWhen(iso) {
  const date = new Date(iso);
  return isToday(date) ? timeFormat.format(date) : shortDateFormat.format(date);
}

/** "le 23/11/2025 à 10:00". */
export function formatOn(iso) {
  const date = new Date(iso);
  return `le ${dateFormat.format(date)} à ${timeFormat.format(date)}`;
}

/** "1948-05-12" → "12/05/1948", without going through a time zone. */
export function formatBirth(birth) {
  const [year, month, day] = birth.split('-');
  return `${day}/${month}/${year}`;
}

/** 183204 → "179 Ko". */
export function formatSize(bytes) {
  const number = (n) => n.toLocaleString('fr-FR', { maximumFractionDigits: n < 10 ? 1 : 0 });
  if (bytes < 1024) return `${bytes} o`;
  if (bytes < 1024 * 1024) return `${number(bytes / 1024)} Ko`;
  return `${number(bytes / (1024 * 1024))} Mo`;
}

/** "expire dans 6 j 23 h", "expire dans 2 h 5 min", "expire dans 12 min". */
export function countdownText(iso) {
  const minutes = Math.floor((Date.parse(iso) - Date.now()) / 60000);
  if (minutes < 1) return 'expire dans moins d’une minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `expire dans ${days} j ${hours} h`;
  if (hours > 0) return `expire dans ${hours} h ${minutes % 60} min`;
  return `expire dans ${minutes} min`;
}

/** A countdown element, kept current by updateCountdowns(). */
export function countdown(iso) {
  return h('span', { class: 'countdown', 'data-expires': iso, title: `s'efface ${formatOn(iso)}` }, countdownText(iso));
}

export function updateCountdowns() {
  for (const node of document.querySelectorAll('.countdown[data-expires]')) {
    node.textContent = countdownText(node.dataset.expires);
  }
}

export const sameAddress = (a, b) => Boolean(a && b) && a.toLowerCase() === b.toLowerCase();

/** The group name, or the other member's address for a direct conversation. */
export function conversationTitle(conversation, me) {
  if (conversation.kind === 'group') return conversation.name || 'Groupe sans nom';
  const others = conversation.members.filter((member) => !sameAddress(member, me));
  const peer = others[0] ?? conversation.members[0];
  return peer ? memberName(conversation, peer) : 'Conversation';
}

/** A member's name from the directory (or a trusted certificate) when the service knows it, else the address. */
export function memberName(conversation, address) {
  const names = conversation.memberNames ?? {};
  const key = Object.keys(names).find((known) => sameAddress(known, address));
  return key ? names[key] : address;
}

/** "DURAND Léa, né(e) le 12/05/1948". */
export function patientSummary(patient) {
  const name = `${patient.family} ${patient.given}`;
  return patient.birth ? `${name}, né(e) le ${formatBirth(patient.birth)}` : name;
}

/** The summary plus the INS when the identity is qualified. */
export function patientDetails(patient) {
  return patient.ins ? `${patientSummary(patient)} · INS ${patient.ins}` : patientSummary(patient);
}
