using Microsoft.Data.Sqlite;
using MiSS.Core.Storage;

namespace MiSS.Core.PractitionerDirectory;

/// <summary>
/// The national directory's own SQLite file, <c>directory.db</c> in the data folder: public reference data, kept apart
/// from the mailbox's store so that a national import (one long write transaction) never holds the store's write lock,
/// and so that it neither bloats the store nor goes through its secure erasure.
/// </summary>
public static class DirectoryDatabase
{
    /// <summary>The file's name in the data folder.</summary>
    public const string FileName = "directory.db";

    /// <summary>
    /// Schema migrations of <c>directory.db</c>. Append new steps, never edit a released one. Public data: no secure_delete
    /// (overwriting every freed page would double an import's writes).
    /// </summary>
    public static DatabaseSchema Schema { get; } = new("directory", [
        // 1: the tables as the store held them (its migration 7), so that its rows copy over as they are.
        MailboxSchema.DirectoryTables,
    ], SecureDelete: false);

    /// <summary>Opens (and creates or migrates) the directory file at <paramref name="path"/>.</summary>
    public static StoreDatabase Open(string path) => StoreDatabase.Open(path, Schema);

    /// <summary>
    /// Copies the directory rows of a store older than its migration 12 (the directory then lived in <c>miss.db</c>) into
    /// the directory file at <paramref name="directoryPath"/>, so that a practitioner who imported need not import again.
    /// Run by the store's migration just before it drops those tables; idempotent (a row already there is kept), so a
    /// crash between the copy and the drop only copies again.
    /// </summary>
    internal static void CopyFromStore(SqliteConnection store, string directoryPath)
    {
        // Another process may have migrated the store meanwhile: then the tables are gone already.
        if (Scalar(store, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'directory'") == 0
            || Scalar(store, "SELECT EXISTS (SELECT 1 FROM directory)") == 0)
        {
            return;
        }
        Open(directoryPath);
        const string Columns = """
            address, mailbox_type, civility, family_name, given_name, display_name, rpps, national_id, profession, specialty,
            organisation, service, city, postcode, family_key, source
            """;
        Run(store, "ATTACH DATABASE $path AS directory_file", ("$path", directoryPath));
        try
        {
            using var transaction = store.BeginTransaction(deferred: false);
            Run(store, $"""
                INSERT OR IGNORE INTO directory_file.directory ({Columns}) SELECT {Columns} FROM main.directory ORDER BY id;
                INSERT INTO directory_file.directory_fts (directory_fts) VALUES ('rebuild');
                """, transaction);
            transaction.Commit();
        }
        finally
        {
            Run(store, "DETACH DATABASE directory_file");
        }
    }

    static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = StoreDatabase.Command(connection, sql);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    static void Run(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters) =>
        Run(connection, sql, null, parameters);

    static void Run(SqliteConnection connection, string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        using var command = StoreDatabase.Command(connection, sql, parameters);
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}
