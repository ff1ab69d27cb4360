using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MiSS.Core.Storage;

/// <summary>
/// What a database file holds: its name in messages, its schema migrations (applied in order; the file's
/// <c>PRAGMA user_version</c> says how many have run; append new steps, never edit a released one), whether erased
/// pages are overwritten (secure_delete, for private content), and work to do before a step, outside its transaction
/// (given the open connection, the file's path and the 0-based step).
/// </summary>
public sealed record DatabaseSchema(string Name, IReadOnlyList<string> Migrations, bool SecureDelete,
    Action<SqliteConnection, string, int>? BeforeStep = null);

/// <summary>
/// One SQLite file: connections, per-connection settings and schema migrations. WAL mode so the service and the command
/// line can share it, and so readers never wait for a writer. The mailbox's store (<see cref="MailboxSchema"/>) and the
/// national directory (<see cref="PractitionerDirectory.DirectoryDatabase"/>) are two such files, each with its own
/// write lock.
/// </summary>
public sealed class StoreDatabase
{
    readonly string _connectionString;
    readonly string _settings;

    StoreDatabase(string path, DatabaseSchema schema)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _settings = $"PRAGMA secure_delete = {(schema.SecureDelete ? "ON" : "OFF")}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Opens (and creates or migrates) the mailbox store at <paramref name="path"/>. Synchronous: it runs once, at start-up.</summary>
    public static StoreDatabase Open(string path) => Open(path, MailboxSchema.Schema);

    /// <summary>Opens (and creates or migrates) the database at <paramref name="path"/> with <paramref name="schema"/>.</summary>
    public static StoreDatabase Open(string path, DatabaseSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var database = new StoreDatabase(path, schema);
        using var connection = new SqliteConnection(database._connectionString);
        connection.Open();
        Execute(connection, $"PRAGMA journal_mode = WAL; {database._settings}");
        var applied = UserVersion(connection);
        if (applied > schema.Migrations.Count)
        {
            throw new InvalidOperationException(
                $"the {schema.Name} {path} was written by a newer MiSS (schema {applied}, this one knows {schema.Migrations.Count})");
        }
        for (var step = applied; step < schema.Migrations.Count; step++)
        {
            schema.BeforeStep?.Invoke(connection, path, step);
            // Each step and its version number commit together: a crash leaves the file at a known version. The version
            // is read again under the write lock, in case another process migrated the file meanwhile.
            using var transaction = connection.BeginTransaction(deferred: false);
            if (UserVersion(connection, transaction) > step)
            {
                continue;
            }
            Execute(connection, schema.Migrations[step] + $"\nPRAGMA user_version = {step + 1};", transaction);
            transaction.Commit();
        }
        return database;
    }

    static int UserVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var version = connection.CreateCommand();
        version.Transaction = transaction;
        version.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(version.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>An open connection with the per-connection settings applied.</summary>
    public async Task<SqliteConnection> ConnectAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = _settings;
        await command.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction that holds the write lock from its start (BEGIN IMMEDIATE): all of
    /// it commits, or none of it (a crash, an exception).
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await ConnectAsync(ct);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var result = await work(transaction);
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>Runs a statement with named parameters inside <paramref name="transaction"/>.</summary>
    public static async Task<int> ExecuteAsync(SqliteTransaction transaction, string sql, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(transaction.Connection!, sql, parameters);
        command.Transaction = transaction;
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Runs a statement with named parameters.</summary>
    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await ConnectAsync(ct);
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Runs a query and maps each row.</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> map, CancellationToken ct,
        params (string Name, object? Value)[] parameters)
    {
        await using var connection = await ConnectAsync(ct);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(map(reader));
        }
        return rows;
    }

    /// <summary>A command on <paramref name="connection"/> with named parameters (null becomes SQL NULL).</summary>
    public static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
