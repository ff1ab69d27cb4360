// Same-origin calls to the local API. The session is an HttpOnly cookie: nothing here sees or stores a token.

export const SESSION_EXPIRED = 'Session expirée : rouvrez le lien affiché par le service MiSS (commande « miss web »).';

/** An API failure, carrying the problem document's French detail as its message. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

let unauthorized = () => {};

/** Registers what to do when the session is no longer valid. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

async function request(method, path, { body, signal } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'Le service MiSS ne répond pas.');
  }
  if (response.status === 401) {
    unauthorized();
    throw new ApiError(401, SESSION_EXPIRED);
  }
  if (!response.ok) throw new ApiError(response.status, await problemDetail(response));
  return response;
}

/** The RFC 9457 problem's detail, or a generic French message. */
async function problemDetail(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `Erreur ${response.status}`;
  } catch {
    return `Erreur ${response.status}`;
  }
}

async function json(response) {
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const api = {
  get: (path, options) => request('GET', path, options).then(json),
  post: (path, body) => request('POST', path, { body }).then(json),
  put: (path, body) => request('PUT', path, { body }).then(json),
  delete: (path) => request('DELETE', path).then(json),
  blob: (path) => request('GET', path).then((response) => response.blob()),
};

/** Reads a file as base64 (without the data: URL prefix). */
export function fileToBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.slice(reader.result.indexOf(',') + 1));
    reader.onerror = () => reject(new Error(`Lecture impossible : ${file.name}`));
    reader.readAsDataURL(file);
  });
}

/** Saves a blob under the given file name. */
export function downloadBlob(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
