using Microsoft.Data.Sqlite;
using MiSS.Core.PractitionerDirectory;

namespace MiSS.Core.Storage;

/// <summary>
/// The schema of a mailbox's store, <c>miss.db</c>: messages, conversations, attachments, certificates, tokens, audit.
/// Private content, so erased pages are overwritten (secure_delete).
/// </summary>
public static class MailboxSchema
{
    /// <summary>The store's file name in the data folder.</summary>
    public const string FileName = "miss.db";

    /// <summary>The migration (0-based) that drops the directory tables once their rows are in <c>directory.db</c>.</summary>
    internal const int DirectoryMoved = 11;

    /// <summary>
    /// The directory's tables as migration 7 released them; the first step of <c>directory.db</c> too
    /// (<see cref="DirectoryDatabase"/>), so that the copy out of an older store matches column for column.
    /// </summary>
    internal const string DirectoryTables =
    """
    CREATE TABLE directory (
        id             INTEGER PRIMARY KEY,
        address        TEXT    NOT NULL UNIQUE,  -- lowercase
        mailbox_type   TEXT    NOT NULL,         -- personnelle, organisationnelle, applicative, cabinet
        civility       TEXT,
        family_name    TEXT,
        given_name     TEXT,
        display_name   TEXT    NOT NULL,
        rpps           TEXT,                     -- the 11-digit RPPS when the identifier is one
        national_id    TEXT,                     -- idNatPs (8 + RPPS, 0 + ADELI...)
        profession     TEXT,
        specialty      TEXT,
        organisation   TEXT,
        service        TEXT,
        city           TEXT,
        postcode       TEXT,
        family_key     TEXT    NOT NULL,         -- family name, lowercase without accents: ranking
        source         TEXT    NOT NULL          -- mssante, fhir
    ) STRICT;
    CREATE INDEX directory_rpps ON directory (rpps) WHERE rpps IS NOT NULL;
    CREATE INDEX directory_family_key ON directory (family_key, given_name, address);
    CREATE INDEX directory_source ON directory (source);
    CREATE VIRTUAL TABLE directory_fts USING fts5(
        family_name, given_name, profession, specialty, organisation, service, city, postcode, rpps,
        content = 'directory', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
    """;

    /// <summary>
    /// Schema migrations, applied in order; the file's <c>PRAGMA user_version</c> says how many have run.
    /// Append new steps, never edit a released one.
    /// </summary>
    internal static readonly string[] Migrations =
    [
        """
        CREATE TABLE messages (
            id              INTEGER PRIMARY KEY,
            message_id      TEXT    NOT NULL UNIQUE,
            direction       TEXT    NOT NULL CHECK (direction IN ('Outgoing', 'Incoming')),
            sender          TEXT    NOT NULL,
            recipients      TEXT    NOT NULL,  -- JSON array of addresses
            subject         TEXT,
            body            TEXT    NOT NULL,
            state           TEXT    NOT NULL,
            created_at      INTEGER NOT NULL,  -- Unix milliseconds, UTC
            sent_at         INTEGER,
            received_at     INTEGER,
            signature       TEXT,              -- JSON SignatureRecord, incoming only
            error           TEXT,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER
        ) STRICT;
        CREATE INDEX messages_outbox ON messages (state, next_attempt_at) WHERE state = 'Queued';

        CREATE TABLE mailbox_positions (
            mailbox      TEXT    PRIMARY KEY,
            uid_validity INTEGER NOT NULL,
            last_uid     INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE quarantine (
            id          INTEGER PRIMARY KEY,
            mailbox     TEXT    NOT NULL,
            uid         INTEGER NOT NULL,
            message_id  TEXT,
            reason      TEXT    NOT NULL,
            detail      TEXT    NOT NULL,
            raw         BLOB    NOT NULL,
            received_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE certificates (
            address    TEXT    NOT NULL COLLATE NOCASE,
            thumbprint TEXT    NOT NULL,
            der        BLOB    NOT NULL,
            source     TEXT    NOT NULL,
            learned_at INTEGER NOT NULL,
            PRIMARY KEY (address, thumbprint)
        ) STRICT;
        """,
        // 2: conversations (one-to-one and groups), threading, per-recipient states.
        """
        CREATE TABLE conversations (
            id              INTEGER PRIMARY KEY,
            conversation_id TEXT    NOT NULL UNIQUE,  -- the wire id (X-MiSS-Conversation)
            kind            TEXT    NOT NULL CHECK (kind IN ('Direct', 'Group')),
            name            TEXT,
            membership      TEXT    NOT NULL,         -- last-write-wins member set, X-MiSS-Members form
            patient         TEXT,                     -- JSON PatientContext, or NULL
            read_receipts   INTEGER NOT NULL DEFAULT 1,
            created_at      INTEGER NOT NULL,
            last_message_at INTEGER NOT NULL
        ) STRICT;
        ALTER TABLE messages ADD COLUMN conversation INTEGER REFERENCES conversations (id);
        ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'Text';
        ALTER TABLE messages ADD COLUMN in_reply_to TEXT;
        ALTER TABLE messages ADD COLUMN message_references TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE messages ADD COLUMN read_at INTEGER;
        CREATE INDEX messages_by_conversation ON messages (conversation, created_at);
        CREATE TABLE message_recipients (
            message    INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
            address    TEXT    NOT NULL COLLATE NOCASE,
            state      TEXT    NOT NULL,
            reason     TEXT,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (message, address)
        ) STRICT;
        """,
        // 3: attachments; their bytes are encrypted blobs (BlobStore), referenced here.
        """
        CREATE TABLE attachments (
            id             INTEGER PRIMARY KEY,
            message        INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
            position       INTEGER NOT NULL,
            file_name      TEXT    NOT NULL,
            media_type     TEXT    NOT NULL,
            size           INTEGER NOT NULL,
            sha256         TEXT    NOT NULL,
            blob           TEXT,               -- NULL when refused
            thumbnail_blob TEXT,
            width          INTEGER,
            height         INTEGER,
            refused_reason TEXT                -- why an incoming attachment was not kept (French)
        ) STRICT;
        CREATE INDEX attachments_by_message ON attachments (message, position);
        """,
        // 4: ephemeral messages. An expired message keeps a content-free row (its tombstone); the erasure of its server
        // copies is tracked until done.
        """
        ALTER TABLE conversations ADD COLUMN retention INTEGER NOT NULL DEFAULT 604800;      -- seconds
        ALTER TABLE conversations ADD COLUMN retention_changed_at INTEGER NOT NULL DEFAULT 0; -- Unix ms, last-write-wins clock
        ALTER TABLE conversations ADD COLUMN ended_at INTEGER;
        ALTER TABLE messages ADD COLUMN expires_at INTEGER;            -- NULL until sent (outgoing) or stored (incoming)
        ALTER TABLE messages ADD COLUMN expired_at INTEGER;            -- set when the content was erased here
        ALTER TABLE messages ADD COLUMN content_sha256 TEXT;           -- of the erased content, for the trace
        ALTER TABLE messages ADD COLUMN server_erase_due_at INTEGER;   -- server copies still to erase, next attempt
        CREATE INDEX messages_expiry ON messages (expires_at) WHERE expired_at IS NULL AND expires_at IS NOT NULL;
        CREATE INDEX messages_server_erase ON messages (server_erase_due_at) WHERE server_erase_due_at IS NOT NULL;
        ALTER TABLE quarantine ADD COLUMN erased_at INTEGER;
        """,
        // 5: tokens of the local API (only their SHA-256 is kept).
        """
        CREATE TABLE api_tokens (
            name       TEXT    PRIMARY KEY,
            sha256     TEXT    NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        ) STRICT;
        """,
        // 6: the audit trail of security-relevant events, a hash chain (MiSS.Core.Audit.AuditTrail, docs/security.md).
        // The triggers make an accidental change fail; a deliberate one, made by editing the file, breaks the chain.
        """
        CREATE TABLE audit (
            seq          INTEGER PRIMARY KEY,
            at           INTEGER NOT NULL,  -- Unix milliseconds, UTC
            kind         TEXT    NOT NULL,  -- short English identifier: message.sent, token.created...
            message_id   TEXT,
            conversation INTEGER,           -- the local conversation number, not a reference: the audit outlives rows
            actor        TEXT,              -- an address or a token name
            detail       TEXT    NOT NULL,  -- French or a short machine reason; never content
            prev_hash    TEXT    NOT NULL,
            hash         TEXT    NOT NULL
        ) STRICT;
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        """,
        // 7: the national directory of MSSanté addresses (MiSS.Core.PractitionerDirectory.DirectoryStore), searched through
        // an external-content FTS5 index (accents folded by unicode61 remove_diacritics 2, prefix indexes for typing).
        // Since step 12 in its own file, directory.db.
        DirectoryTables,
        // 8: a conversation's messages by arrival order (its page, its thread references) without sorting them all.
        """
        CREATE INDEX messages_by_conversation_order ON messages (conversation, id);
        """,
        // 9: how a sent message was protected for each recipient: EndToEnd (S/MIME encrypted) or Transport (signed only,
        // MiSS:Security:AllowTransportOnly). NULL until sent.
        """
        ALTER TABLE message_recipients ADD COLUMN protection TEXT CHECK (protection IN ('EndToEnd', 'Transport'));
        """,
        // 10: the conversation list's counts without reading every message: unread ones, and the next expiry per conversation.
        """
        CREATE INDEX messages_unread ON messages (conversation)
            WHERE direction = 'Incoming' AND read_at IS NULL AND expired_at IS NULL AND kind <> 'Receipt';
        CREATE INDEX messages_next_expiry ON messages (conversation, expires_at) WHERE expired_at IS NULL AND expires_at IS NOT NULL;
        """,
        // 11: what an API token may do (MiSS.Core.Storage.ApiTokenScope): everything, or read only.
        """
        ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'Full' CHECK (scope IN ('Full', 'Read'));
        """,
        // 12: the national directory moves to its own file (MiSS.Core.PractitionerDirectory.DirectoryDatabase, directory.db);
        // its rows are copied there first (BeforeStep), so that an import is not lost.
        """
        DROP TABLE directory_fts;
        DROP TABLE directory;
        """,
    ];

    /// <summary>The mailbox store's schema.</summary>
    public static DatabaseSchema Schema { get; } = new("store", Migrations, SecureDelete: true, BeforeStep: CopyDirectoryOut);

    /// <summary>Before the directory tables are dropped, their rows go to <c>directory.db</c> next to the store.</summary>
    static void CopyDirectoryOut(SqliteConnection connection, string path, int step)
    {
        if (step == DirectoryMoved)
        {
            DirectoryDatabase.CopyFromStore(connection,
                System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, DirectoryDatabase.FileName));
        }
    }
}
