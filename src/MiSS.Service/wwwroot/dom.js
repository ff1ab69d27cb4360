// DOM building without HTML parsing: every piece of data becomes a text node or an attribute value.

/**
 * Creates an element. Props: `class`, `testid` (data-testid), `on<event>` (listener functions only),
 * anything else as an attribute (true = present, null/false = absent). Children: nodes or strings (text).
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key.startsWith('on')) {
      if (typeof value !== 'function') throw new TypeError(`${key} must be a function`);
      node.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      node.className = value;
    } else {
      node.setAttribute(key === 'testid' ? 'data-testid' : key, value === true ? '' : String(value));
    }
  }
  node.append(...children.flat(Infinity).filter((child) => child != null && child !== false));
  return node;
}

/** Asks for confirmation in a modal dialog; resolves true when confirmed. */
export function confirmDialog({ title, message, confirmLabel, danger = false }) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', testid: 'confirm-dialog', 'aria-labelledby': 'confirm-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'confirm-title' }, title),
        h('p', {}, message),
        h('div', { class: 'dialog-actions' },
          h('button', { value: 'cancel', autofocus: true, testid: 'confirm-cancel' }, 'Annuler'),
          h('button', { value: 'ok', class: danger ? 'danger' : 'primary', testid: 'confirm-ok' }, confirmLabel))));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'ok');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Shows a short message at the bottom of the screen. */
export function notify(message) {
  const toast = h('div', { class: 'toast', role: 'alert', testid: 'toast' }, message);
  toast.addEventListener('click', () => toast.remove());
  document.getElementById('toasts').append(toast);
  setTimeout(() => toast.remove(), 7000);
}
