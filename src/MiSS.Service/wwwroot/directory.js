// Directory search box: debounced, from two characters, stale answers dropped.
import { api } from './api.js';
import { h } from './dom.js';

const DEBOUNCE_MS = 250;

/** A search input and its results; onPick(entry) when a result is chosen. */
export function directorySearch({ testid, resultTestid, label, onPick }) {
  const input = h('input', {
    type: 'search', class: 'search', testid, placeholder: label, 'aria-label': label, autocomplete: 'off',
    oninput: () => schedule(), onkeydown: (event) => event.key === 'Escape' && clear(),
  });
  const results = h('ul', { class: 'directory-results', 'aria-live': 'polite' });
  let timer = 0;
  let controller = null;

  function schedule() {
    clearTimeout(timer);
    controller?.abort();
    const query = input.value.trim();
    if (query.length < 2) {
      results.replaceChildren();
      return;
    }
    timer = setTimeout(() => search(query), DEBOUNCE_MS);
  }

  async function search(query) {
    controller = new AbortController();
    try {
      const entries = await api.get(`/api/directory?q=${encodeURIComponent(query)}`, { signal: controller.signal });
      results.replaceChildren(...(entries.length
        ? entries.map(resultItem)
        : [h('li', { class: 'muted' }, 'Aucun professionnel trouvé.')]));
    } catch (error) {
      if (error.name !== 'AbortError') results.replaceChildren(h('li', { class: 'error' }, error.message));
    }
  }

  function resultItem(entry) {
    const profession = [entry.profession, entry.specialty].filter(Boolean).join(' – ');
    return h('li', {},
      h('button', {
        type: 'button', class: 'directory-result', testid: resultTestid, 'data-address': entry.address,
        onclick: () => onPick(entry),
      },
      h('span', { class: 'result-name' }, entry.displayName || entry.address),
      h('span', { class: 'result-details', testid: 'directory-result-details' },
        [profession, entry.city, entry.mailboxType && `BAL ${entry.mailboxType}`].filter(Boolean).join(' · ')),
      h('span', { class: 'result-address' }, entry.address),
      encryptionNote(entry)));
  }

  /** Before writing: can the message be encrypted to this correspondent? */
  function encryptionNote(entry) {
    return entry.certificateKnown
      ? h('span', { class: 'result-encryption known', testid: 'directory-result-encryption' }, 'chiffrement de bout en bout')
      : h('span', {
        class: 'result-encryption unknown', testid: 'directory-result-encryption',
        title: 'Son certificat est appris dès qu’il vous écrit ; il peut aussi être importé.',
      }, 'certificat de chiffrement inconnu');
  }

  function clear() {
    clearTimeout(timer);
    controller?.abort();
    input.value = '';
    results.replaceChildren();
  }

  return { element: h('div', { class: 'directory' }, input, results), clear, focus: () => input.focus() };
}
