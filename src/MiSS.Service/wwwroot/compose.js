// Writing a message: text, photos and PDF documents with a preview, sent as base64.
import { fileToBase64 } from './api.js';
import { h } from './dom.js';
import { formatSize } from './format.js';

const touchScreen = matchMedia('(pointer: coarse)');
const isImage = (file) => file.type.startsWith('image/');

/** The compose form; onSend({ text, attachments }) posts the message and throws on failure. */
export function createCompose(onSend) {
  let chosen = []; // { file, url } with url an object URL for image previews
  let ended = false;
  let sending = false;

  const text = h('textarea', {
    class: 'compose-text', testid: 'compose-text', rows: 1, placeholder: 'Écrire un message…',
    'aria-label': 'Message', onkeydown: sendOnEnter,
  });
  const fileInput = h('input', {
    type: 'file', class: 'visually-hidden', testid: 'compose-file', multiple: true,
    accept: 'image/*,application/pdf', onchange: addFiles,
  });
  const sendButton = h('button', { type: 'submit', class: 'primary', testid: 'compose-send' }, 'Envoyer');
  const previews = h('ul', { class: 'compose-files' });
  const original = h('input', { type: 'checkbox', testid: 'compose-original' });
  const originalLabel = h('label', { class: 'compose-original' }, original,
    " Envoyer la photo d'origine (sans réduction)");
  const error = h('p', { class: 'compose-error', role: 'alert', testid: 'compose-error', hidden: true });
  const endedNote = h('p', { class: 'compose-ended', hidden: true },
    'Conversation terminée : il n’est plus possible d’y écrire.');
  const fieldset = h('fieldset', {},
    previews, originalLabel,
    h('div', { class: 'compose-row' },
      h('label', { class: 'attach', title: 'Joindre une photo ou un PDF' },
        h('span', {}, 'Joindre'), fileInput),
      text, sendButton));
  const form = h('form', { class: 'compose', onsubmit: submit }, endedNote, error, fieldset);

  function sendOnEnter(event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !touchScreen.matches) {
      event.preventDefault();
      form.requestSubmit();
    }
  }

  function addFiles() {
    for (const file of fileInput.files) {
      chosen.push({ file, url: isImage(file) ? URL.createObjectURL(file) : null });
    }
    fileInput.value = '';
    renderPreviews();
  }

  function removeFile(item) {
    if (item.url) URL.revokeObjectURL(item.url);
    chosen = chosen.filter((other) => other !== item);
    renderPreviews();
  }

  function renderPreviews() {
    previews.replaceChildren(...chosen.map((item) => h('li', { class: 'compose-file', testid: 'compose-preview' },
      item.url
        ? h('img', { src: item.url, alt: `Aperçu de ${item.file.name}` })
        : h('span', { class: 'file-icon', 'aria-hidden': 'true' }, 'fichier'),
      h('span', { class: 'file-name' }, item.file.name),
      h('span', { class: 'file-size' }, formatSize(item.file.size)),
      h('button', {
        type: 'button', class: 'link', 'aria-label': `Retirer ${item.file.name}`, onclick: () => removeFile(item),
      }, 'Retirer'))));
    originalLabel.hidden = !chosen.some((item) => item.url);
  }

  function showError(message) {
    error.textContent = message ?? '';
    error.hidden = !message;
  }

  async function submit(event) {
    event.preventDefault();
    const body = text.value.trim();
    if (ended || sending || (!body && chosen.length === 0)) return;
    sending = fieldset.disabled = true;
    sendButton.textContent = 'Envoi…';
    showError(null);
    try {
      const attachments = await Promise.all(chosen.map(async ({ file }) => ({
        fileName: file.name,
        contentBase64: await fileToBase64(file),
        original: isImage(file) && original.checked,
      })));
      await onSend({ text: body, attachments });
      reset();
    } catch (failure) {
      showError(failure.message);
    } finally {
      sending = false;
      fieldset.disabled = ended;
      sendButton.textContent = 'Envoyer';
      if (!ended) text.focus();
    }
  }

  /** Forgets the draft, the chosen files and any error. */
  function reset() {
    text.value = '';
    original.checked = false;
    chosen.forEach((item) => item.url && URL.revokeObjectURL(item.url));
    chosen = [];
    renderPreviews();
    showError(null);
  }

  function setEnded(value) {
    ended = value;
    fieldset.disabled = ended || sending;
    endedNote.hidden = !value;
  }

  renderPreviews();
  return { element: form, reset, setEnded };
}
