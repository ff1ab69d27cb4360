using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using MiSS.Core.Storage;

namespace MiSS.Core.PractitionerDirectory;

/// <summary>One mailbox of the national directory, as an importer reads it (public directory data only).</summary>
public sealed record DirectoryRecord(
    string Address, string MailboxType, string DisplayName,
    string? Civility = null, string? FamilyName = null, string? GivenName = null,
    string? Rpps = null, string? NationalId = null, string? Profession = null, string? Specialty = null,
    string? Organisation = null, string? Service = null, string? City = null, string? Postcode = null);

/// <summary>Who the directory names for an address: its display name, the person's names and RPPS when it is a practitioner's.</summary>
public sealed record DirectoryPerson(string DisplayName, string? GivenName, string? FamilyName, string? Rpps);

/// <summary>A line of an import file that was not taken, with the reason in French (shown to the user).</summary>
public sealed record DirectoryRejection(long Line, string Reason);

/// <summary>Where an import stands: lines read so far and mailboxes written.</summary>
public sealed record DirectoryImportProgress(long Lines, long Imported);

/// <summary>
/// What an import did: mailboxes written, duplicate addresses (the last one won), lines refused, and certificates kept
/// (those the directory carries, FHIR only).
/// </summary>
public sealed record DirectoryImportResult(long Imported, long Duplicates, IReadOnlyList<DirectoryRejection> Rejected, TimeSpan Elapsed,
    long Certificates = 0);

/// <summary>
/// The last check of an import, before it is committed: the French reason to refuse it (the previous directory then
/// stays whole), or null to take it. The refresher refuses implausible downloads this way.
/// </summary>
public delegate string? DirectoryImportCheck(DirectoryImportResult result);

/// <summary>
/// The national directory of MSSanté mailboxes in its own file (<see cref="DirectoryDatabase"/>, <c>directory.db</c>): filled by the importers of the bulk
/// extraction and of Annuaire Santé FHIR bundles, searched by name, profession, place, RPPS or address through an FTS5
/// index that folds accents and case and indexes prefixes, so that search-as-you-type stays in milliseconds on the
/// whole country's directory.
/// </summary>
public sealed class DirectoryStore
{
    readonly StoreDatabase _database;

    DirectoryStore(StoreDatabase database) => _database = database;

    /// <summary>Opens (and creates or migrates) the directory file at <paramref name="path"/> (<c>&lt;DataDirectory&gt;/directory.db</c>).</summary>
    public static DirectoryStore Open(string path) => new(DirectoryDatabase.Open(path));

    /// <summary>Results of a search, at most (the API's contract since the certificate directory).</summary>
    public const int DefaultLimit = 20;

    /// <summary>The mailbox types as the product names them, from the MSSanté codes (PER, ORG, APP, CAB).</summary>
    public static string? MailboxTypeFromCode(string? code) => code?.Trim().ToUpperInvariant() switch
    {
        "PER" => "personnelle",
        "ORG" => "organisationnelle",
        "APP" => "applicative",
        "CAB" => "cabinet",
        _ => null,
    };

    /// <summary>How many mailboxes the directory holds: the API falls back on the certificate folder when none.</summary>
    public async Task<long> CountAsync(CancellationToken ct = default)
    {
        await using var connection = await _database.ConnectAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM directory";
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>How many mailboxes the directory holds from <paramref name="source"/> (an importer's <c>Source</c>).</summary>
    public async Task<long> CountAsync(string source, CancellationToken ct = default)
    {
        var rows = await _database.QueryAsync("SELECT count(*) FROM directory WHERE source = $source", r => r.GetInt64(0), ct, ("$source", source));
        return rows[0];
    }

    /// <summary>The person the directory names for an address (names and RPPS), or null when the address is not in it.</summary>
    public async Task<DirectoryPerson?> FindAsync(string address, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var rows = await _database.QueryAsync("SELECT display_name, given_name, family_name, rpps FROM directory WHERE address = $address",
            r => new DirectoryPerson(r.GetString(0), NullableString(r, 1), NullableString(r, 2), NullableString(r, 3)), ct,
            ("$address", address.Trim().ToLowerInvariant()));
        return rows.Count > 0 ? rows[0] : null;
    }

    /// <summary>
    /// The mailboxes matching every word of <paramref name="query"/> (a prefix of a name, profession, specialty,
    /// organisation, city, postcode or RPPS, accents and case ignored), or whose address starts with it when it holds
    /// an '@'. Ranked: family name equal to the whole query, then equal to its first word, then starting with it (each
    /// alphabetical by family and given name), then the other matches (a name, a profession, a place...).
    /// </summary>
    /// <remarks>
    /// Each rank is its own query that walks the (family_key, given_name) index and stops at the limit, so a one-letter
    /// query on the national directory costs a few index pages rather than sorting tens of thousands of matches.
    /// </remarks>
    public async Task<IReadOnlyList<DirectoryEntry>> SearchAsync(string query, int limit = DefaultLimit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        limit = Math.Clamp(limit, 1, 1000);
        var results = new List<DirectoryEntry>();
        await using var connection = await _database.ConnectAsync(ct);
        if (query.Contains('@', StringComparison.Ordinal))
        {
            await ReadAsync(connection, """
                SELECT address, display_name, profession, specialty, city, rpps, mailbox_type FROM directory d
                WHERE address >= $prefix AND address < $prefix || char(1114111) ORDER BY address LIMIT $limit
                """, [("$prefix", query.Trim().ToLowerInvariant())], limit, results, ct);
            return results;
        }
        var words = Words(query);
        if (words.Count == 0)
        {
            return results;
        }
        const string Columns = "d.address, d.display_name, d.profession, d.specialty, d.city, d.rpps, d.mailbox_type";
        // Each word a quoted prefix term: the user's text never reaches FTS5's query syntax.
        var match = string.Join(' ', words.Select(w => $"\"{w}\"*"));
        // With one word, a family name starting with it matches already; with more, the other words must match too.
        var others = words.Count > 1 ? "AND d.id IN (SELECT rowid FROM directory_fts WHERE directory_fts MATCH $match)" : "";
        (string, object)[] parameters = [("$whole", string.Join(' ', words)), ("$first", words[0]), ("$match", match)];
        await ReadAsync(connection, $"SELECT {Columns} FROM directory d WHERE d.family_key = $whole {others} ORDER BY d.family_key, d.given_name, d.address LIMIT $limit",
            parameters, limit, results, ct);
        if (words.Count > 1)
        {
            await ReadAsync(connection, $"SELECT {Columns} FROM directory d WHERE d.family_key = $first {others} ORDER BY d.family_key, d.given_name, d.address LIMIT $limit",
                parameters, limit, results, ct);
        }
        await ReadAsync(connection, $"""
            SELECT {Columns} FROM directory d WHERE d.family_key > $first AND d.family_key < $first || char(1114111)
              AND d.family_key <> $whole {others}
            ORDER BY d.family_key, d.given_name, d.address LIMIT $limit
            """, parameters, limit, results, ct);
        var ranked = results.Count;
        await ReadAsync(connection, $"""
            SELECT {Columns} FROM directory_fts JOIN directory d ON d.id = directory_fts.rowid
            WHERE directory_fts MATCH $match AND NOT (d.family_key >= $first AND d.family_key < $first || char(1114111))
            LIMIT $limit
            """, parameters, limit, results, ct);
        // The last rank comes in index order: sorted here, alphabetically, among themselves.
        results.Sort(ranked, results.Count - ranked, Comparer<DirectoryEntry>.Create((a, b) =>
            StringComparer.Ordinal.Compare(string.Join(' ', Words(a.DisplayName)), string.Join(' ', Words(b.DisplayName)))));
        return results;
    }

    /// <summary>Appends the rows of <paramref name="sql"/> not already in <paramref name="results"/>, up to <paramref name="limit"/> in all.</summary>
    static async Task ReadAsync(SqliteConnection connection, string sql, (string Name, object Value)[] parameters, int limit,
        List<DirectoryEntry> results, CancellationToken ct)
    {
        if (results.Count >= limit)
        {
            return;
        }
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            if (sql.Contains(name, StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue(name, value);
            }
        }
        // Earlier ranks may hold some of these rows: ask for enough to fill the list anyway.
        command.Parameters.AddWithValue("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (results.Count < limit && await reader.ReadAsync(ct))
        {
            var address = reader.GetString(0);
            if (results.Exists(e => e.Address == address))
            {
                continue;
            }
            results.Add(new DirectoryEntry(address, reader.GetString(1), NullableString(reader, 2), NullableString(reader, 3),
                NullableString(reader, 4), NullableString(reader, 5), reader.GetString(6)));
        }
    }

    static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Lowercase words without accents, as the index folds them: letters and digits, everything else separates.</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var builder = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (builder.Length > 0)
            {
                words.Add(builder.ToString());
                builder.Clear();
            }
        }
        if (builder.Length > 0)
        {
            words.Add(builder.ToString());
        }
        return words;
    }

    /// <summary>
    /// Starts an import, which replaces the mailboxes of <paramref name="source"/> when <paramref name="replace"/> (a full
    /// extraction is a snapshot; a FHIR page adds to the pages before it): one transaction and one prepared
    /// statement for the whole file, so that a national file loads in seconds and a failed import leaves the previous
    /// directory untouched.
    /// </summary>
    internal async Task<ImportSession> BeginImportAsync(string source, bool replace, CancellationToken ct)
    {
        var connection = await _database.ConnectAsync(ct);
        try
        {
            return new ImportSession(connection, source, replace);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// An import under way: <see cref="Add"/> each mailbox, then <see cref="Complete"/>; disposing without completing rolls
    /// back. Until the commit, the directory file's other connections (searches) see the previous directory (WAL snapshot);
    /// the mailbox's store, another file, is not locked at all.
    /// </summary>
    internal sealed class ImportSession : IAsyncDisposable
    {
        readonly SqliteConnection _connection;
        readonly SqliteTransaction _transaction;
        readonly SqliteCommand _upsert;
        readonly SqliteParameter[] _parameters;
        readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        internal ImportSession(SqliteConnection connection, string source, bool replace)
        {
            _connection = connection;
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA cache_size = -65536;";
                pragma.ExecuteNonQuery();
            }
            _transaction = connection.BeginTransaction();
            if (replace)
            {
                using var delete = connection.CreateCommand();
                delete.Transaction = _transaction;
                delete.CommandText = "DELETE FROM directory WHERE source = $source";
                delete.Parameters.AddWithValue("$source", source);
                delete.ExecuteNonQuery();
            }
            _upsert = connection.CreateCommand();
            _upsert.Transaction = _transaction;
            _upsert.CommandText = """
                INSERT INTO directory (address, mailbox_type, civility, family_name, given_name, display_name, rpps, national_id,
                                       profession, specialty, organisation, service, city, postcode, family_key, source)
                VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15)
                ON CONFLICT (address) DO UPDATE SET
                    mailbox_type = excluded.mailbox_type, civility = excluded.civility, family_name = excluded.family_name,
                    given_name = excluded.given_name, display_name = excluded.display_name, rpps = excluded.rpps,
                    national_id = excluded.national_id, profession = excluded.profession, specialty = excluded.specialty,
                    organisation = excluded.organisation, service = excluded.service, city = excluded.city,
                    postcode = excluded.postcode, family_key = excluded.family_key, source = excluded.source
                """;
            _parameters = new SqliteParameter[16];
            for (var i = 0; i < _parameters.Length; i++)
            {
                _parameters[i] = _upsert.Parameters.Add($"$p{i}", i == 15 ? SqliteType.Text : SqliteType.Text);
            }
            _parameters[15].Value = source;
            _upsert.Prepare();
        }

        /// <summary>Mailboxes written (a duplicate counts once).</summary>
        public long Imported => _seen.Count;

        /// <summary>Writes one mailbox; false when its address was already in this import (the new one wins).</summary>
        public bool Add(DirectoryRecord record)
        {
            var address = record.Address.Trim().ToLowerInvariant();
            object[] values =
            [
                address, record.MailboxType, Db(record.Civility), Db(record.FamilyName), Db(record.GivenName), record.DisplayName,
                Db(record.Rpps), Db(record.NationalId), Db(record.Profession), Db(record.Specialty), Db(record.Organisation),
                Db(record.Service), Db(record.City), Db(record.Postcode), string.Join(' ', Words(record.FamilyName ?? "")),
            ];
            for (var i = 0; i < values.Length; i++)
            {
                _parameters[i].Value = values[i];
            }
            _upsert.ExecuteNonQuery();
            return _seen.Add(address);
        }

        static object Db(string? value) => string.IsNullOrWhiteSpace(value) ? DBNull.Value : value.Trim();

        /// <summary>
        /// Rebuilds the search index from the table and commits, unless <paramref name="check"/> refuses
        /// <paramref name="result"/>: then throws <see cref="InvalidDataException"/> with that reason and disposing rolls back.
        /// </summary>
        public void Complete(DirectoryImportResult result, DirectoryImportCheck? check)
        {
            if (check?.Invoke(result) is { } refusal)
            {
                throw new InvalidDataException(refusal);
            }
            using var rebuild = _connection.CreateCommand();
            rebuild.Transaction = _transaction;
            rebuild.CommandText = "INSERT INTO directory_fts (directory_fts) VALUES ('rebuild')";
            rebuild.ExecuteNonQuery();
            _transaction.Commit();
        }

        /// <inheritdoc/>
        public async ValueTask DisposeAsync()
        {
            await _upsert.DisposeAsync();
            await _transaction.DisposeAsync();
            // The connection goes back to the pool: it gives back the import's large page cache.
            await using (var reset = _connection.CreateCommand())
            {
                reset.CommandText = "PRAGMA cache_size = -2000; PRAGMA shrink_memory;";
                await reset.ExecuteNonQueryAsync();
            }
            await _connection.DisposeAsync();
        }
    }
}
