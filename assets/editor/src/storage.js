// A copy of the document in localStorage while it holds edits the server has not stored, so a
// reload while offline loses nothing. Keyed by text id; cleared once the server has everything.
// Every call tolerates a missing or full localStorage (private browsing, quota): the copy is a
// safety net, never required.

const PREFIX = "atelier-editor:text:";

function toBase64(bytes) {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function loadCopy(textId) {
  try {
    const stored = window.localStorage.getItem(PREFIX + textId);
    return stored ? fromBase64(stored) : null;
  } catch {
    return null;
  }
}

export function storeCopy(textId, bytes) {
  try {
    window.localStorage.setItem(PREFIX + textId, toBase64(bytes));
    return true;
  } catch {
    return false;
  }
}

export function clearCopy(textId) {
  try {
    window.localStorage.removeItem(PREFIX + textId);
  } catch {
    // nothing to do
  }
}
