// The editor's few strings, in French and English. The page chooses with data-lang.

const STRINGS = {
  fr: {
    label: "Texte (Markdown)",
    connecting: "Connexion…",
    synced: "Connecté",
    saved: "Enregistré",
    offline: "Hors ligne — vos modifications seront fusionnées à la reconnexion",
    offlineReadonly: "Hors ligne — lecture seule",
    readonly: "Lecture seule",
    refusedReadonly:
      "Modification refusée : vous n’avez que le droit de lecture. Vos modifications restent dans ce navigateur.",
    tooBig: "Modification refusée : trop volumineuse. Elle reste dans ce navigateur.",
    tooLong:
      "Modification refusée : le texte dépasserait la longueur maximale, ou la modification est trop volumineuse. Elle reste dans ce navigateur.",
    actorTaken:
      "Modification refusée : elle est signée de l’identifiant d’un autre membre. Rechargez la page pour continuer.",
    refused: "Connexion refusée par le serveur",
    closed: "Connexion fermée",
    serverSays: "Serveur",
    // A co-editor whose name this reader may not know (not in the group's directory).
    participant: "Un·e participant·e",
    colon: "\u00a0:",
  },
  en: {
    label: "Text (Markdown)",
    connecting: "Connecting…",
    synced: "Connected",
    saved: "Saved",
    offline: "Offline — your changes will be merged when you reconnect",
    offlineReadonly: "Offline — read only",
    readonly: "Read only",
    refusedReadonly:
      "Change refused: you may only read this text. Your changes are kept in this browser.",
    tooBig: "Change refused: too big. It is kept in this browser.",
    tooLong:
      "Change refused: the text would exceed its maximum length, or the change is too big. It is kept in this browser.",
    actorTaken:
      "Change refused: it is signed with another member’s identifier. Reload the page to go on.",
    refused: "Connection refused by the server",
    closed: "Connection closed",
    serverSays: "Server",
    participant: "A participant",
    colon: ":",
  },
};

/** The strings for a page language ("fr" by default: Atelier is French first). */
export function strings(lang) {
  const l = String(lang || document.documentElement.lang || "fr").toLowerCase();
  return l.startsWith("en") ? STRINGS.en : STRINGS.fr;
}
