using MiSS.Core.Audit;
using MiSS.Core.Configuration;
using MiSS.Core.Conversations;
using MiSS.Core.Outgoing;
using MiSS.Core.Messaging;
using MiSS.Core.Storage;
using MiSS.Service.Hosting;
using MiSS.Service.Security;
using Serilog;

namespace MiSS.Service.Cli;

/// <summary>
/// The `miss` command line: run the service, queue a message, list or show messages, change a conversation's retention,
/// end it, export it for the patient record, look at the quarantine, read and verify the audit trail, import the
/// national directory and correspondents' certificates.
/// User-facing output is in French; every command takes --config FILE (an instance's settings).
/// </summary>
public static class MissCommandLine
{
    const string Usage = """
        Utilisation : miss [commande] [--config FICHIER]
          run                                   démarre le service, son API locale et le client web (commande par défaut)
          web                                   donne un lien à usage unique vers le client web du service en marche
          status                                état du service en marche (boîte, envois en attente, effacements)
          token create NOM [--scope read] | revoke NOM | list
                                                jetons de l'API locale pour les logiciels métier (read : lecture seule)
          send --to ADRESSE [--to ...] --text TEXTE [--group NOM] [--photo FICHIER ...] [--file FICHIER ...] [--original oui]
               [--patient "family=NOM; given=Prénom; birth=AAAA-MM-JJ; ins=...; ins-oid=..."] [--xdm oui]
                                                écrit dans la conversation avec ce correspondant (ou dans le
                                                groupe NOM, créé avec ces membres) et affiche le Message-ID
          conversations                         liste les conversations, leurs membres et la durée de conservation
          retention N DURÉE                     change la durée de conservation de la conversation #N (12h, 7j, 30j),
                                                pour tous ses membres et les messages envoyés ensuite
          end N                                 met fin à la conversation #N : ses messages sont effacés partout
          export N [--message MESSAGE-ID ...] [--out FICHIER]
                                                exporte la conversation #N (ou ces messages) pour le dossier patient,
                                                en Bundle FHIR R4 de Communication
          read MESSAGE-ID [...]                 marque des messages reçus comme lus (accusé de lecture si demandé)
          messages [--limit N]                  liste les derniers messages
          show MESSAGE-ID [--wait SECONDES]     affiche un message (en l'attendant au besoin)
          quarantine [N] [--raw FICHIER]        liste les messages mis en quarantaine et leur motif ; avec N, le détail
                                                du message #N (en-têtes extérieurs, jamais son contenu) et, avec
                                                --raw, le message brut écrit dans FICHIER
          audit [--after N] [--limit N]         le journal d'audit : envois, réceptions, quarantaines, effacements,
                                                exports, jetons (jamais de contenu)
          audit verify [--head N:EMPREINTE]     vérifie la chaîne du journal et affiche sa tête ; notez-la : avec
                                                --head, une fin supprimée ou refaite depuis est détectée
          directory import FICHIER [--format mssante|fhir]
                                                importe l'annuaire national : l'extraction MSSanté (fichier « | »
                                                à 31 colonnes, remplace l'import précédent) ou un Bundle FHIR de
                                                l'Annuaire Santé ; affiche l'avancement et les lignes refusées
          directory search TEXTE [--limit N]    cherche un correspondant (nom, profession, ville, code postal, RPPS,
                                                adresse)
          certificate import FICHIER            importe le certificat d'un correspondant (PEM ou DER) : il doit
                                                remonter aux autorités de confiance ; gardé pour chaque adresse qu'il nomme
          certificate list [ADRESSE]            les certificats connus (adresse, titulaire, émetteur, fin de validité,
                                                origine : signature, annuaire ou import)
        """;

    /// <summary>Rejected lines printed one by one, at most; the rest are counted.</summary>
    const int RejectedShown = 50;

    /// <summary>Who the audit trail names for what the command line does (it has no token).</summary>
    const string CliActor = "cli";

    /// <summary>Runs a command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = CommandArguments.Parse(args);
        try
        {
            return arguments.Command switch
            {
                "run" => await RunServiceAsync(arguments),
                "token" => await TokenAsync(arguments),
                "web" => await WebAsync(arguments),
                "status" => await StatusAsync(arguments),
                "send" => await SendAsync(arguments),
                "conversations" => await ConversationsAsync(arguments),
                "retention" => await RetentionAsync(arguments),
                "end" => await EndAsync(arguments),
                "export" => await ExportAsync(arguments),
                "read" => await ReadAsync(arguments),
                "messages" => await ListAsync(arguments),
                "show" => await ShowAsync(arguments),
                "quarantine" => await QuarantineAsync(arguments),
                "audit" => await AuditAsync(arguments),
                "directory" => await DirectoryAsync(arguments),
                "certificate" => await CertificateAsync(arguments),
                "help" or "--help" or "-h" => PrintUsage(0),
                _ => PrintUsage(2),
            };
        }
        catch (FileNotFoundException e)
        {
            Console.Error.WriteLine($"miss : fichier introuvable : {e.FileName}");
            return 1;
        }
        catch (DirectoryNotFoundException)
        {
            Console.Error.WriteLine("miss : dossier introuvable (vérifiez le chemin donné)");
            return 1;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException
                                       or MiSS.Core.Documents.AttachmentRefusedException or MiSS.Core.Photos.PhotoException)
        {
            Console.Error.WriteLine($"miss : {e.Message}");
            return 1;
        }
    }

    static int PrintUsage(int code)
    {
        Console.WriteLine(Usage);
        return code;
    }

    static async Task<int> RunServiceAsync(CommandArguments arguments)
    {
        var configuration = new ConfigurationBuilder().AddMissSources(arguments.Option("config")).Build();
        var options = MissConfiguration.Bind(configuration);
        Log.Logger = MissLogging.Create(configuration, options);
        await using var app = MissWebApplication.Build(options, Log.Logger);
        await InstanceToken.EnsureAsync(options, app.Services.GetRequiredService<ApiTokenStore>());
        await app.StartAsync();
        Log.ForContext("SourceContext", "MiSS.Service").Information("MiSS started for {Address}, data in {DataDirectory}, API on {Api}",
            options.Mailbox.Address, options.DataDirectory, app.Address());
        // For the practitioner, on the console only (never in the log files): the link is a credential.
        Console.WriteLine($"Client web : {app.SessionLink()}  (lien à usage unique ; « miss web » en donne un autre)");
        await app.WaitForShutdownAsync();
        return 0;
    }

    static async Task<int> TokenAsync(CommandArguments arguments)
    {
        await using var store = OpenStore(arguments, out _);
        var tokens = store.GetRequiredService<ApiTokenStore>();
        var name = arguments.Positional.ElementAtOrDefault(1);
        switch (arguments.Positional.FirstOrDefault())
        {
            case "create" when name is not null:
                var scope = arguments.Option("scope") switch
                {
                    null or "full" => ApiTokenScope.Full,
                    "read" => ApiTokenScope.Read,
                    var other => throw new ArgumentException($"portée inconnue « {other} » : full (par défaut) ou read"),
                };
                Console.WriteLine(await tokens.CreateAsync(name, scope));
                Console.Error.WriteLine($"jeton « {name} »{(scope == ApiTokenScope.Read ? " (lecture seule)" : "")} créé : conservez-le, il ne sera plus affiché");
                return 0;
            case "revoke" when name is not null:
                if (!await tokens.RevokeAsync(name))
                {
                    throw new ArgumentException($"aucun jeton actif nommé « {name} »");
                }
                Console.WriteLine($"jeton « {name} » révoqué");
                return 0;
            case "list":
                foreach (var token in await tokens.ListAsync())
                {
                    Console.WriteLine($"{token.Name}  {(token.Scope == ApiTokenScope.Read ? "lecture seule" : "complet")}  créé le {token.CreatedAt.ToLocalTime():g}  {(token.IsActive ? "actif" : $"révoqué le {token.RevokedAt!.Value.ToLocalTime():g}")}");
                }
                return 0;
            default:
                throw new ArgumentException("token create NOM | token revoke NOM | token list");
        }
    }

    /// <summary>Asks the running service (with the instance's token) for <paramref name="path"/>.</summary>
    static async Task<string> CallServiceAsync(CommandArguments arguments, HttpMethod method, string path)
    {
        var options = LoadOptions(arguments);
        var tokenFile = InstanceToken.PathOf(options);
        if (!File.Exists(tokenFile))
        {
            throw new InvalidOperationException("le service n'a jamais démarré avec ces réglages (pas de jeton) : lancez « miss run »");
        }
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{options.Api.Port}") };
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(tokenFile)).Trim());
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"le service a répondu {(int)response.StatusCode} : {body}");
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"le service MiSS ne répond pas sur le port {options.Api.Port} ({e.Message})");
        }
    }

    static async Task<int> WebAsync(CommandArguments arguments)
    {
        var link = System.Text.Json.JsonSerializer.Deserialize(await CallServiceAsync(arguments, HttpMethod.Post, "/api/session-links"),
            Apis.ApiJsonContext.Default.SessionLinkDto)!;
        Console.WriteLine(link.Url);
        return 0;
    }

    static async Task<int> StatusAsync(CommandArguments arguments)
    {
        var status = System.Text.Json.JsonSerializer.Deserialize(await CallServiceAsync(arguments, HttpMethod.Get, "/api/status"),
            Apis.ApiJsonContext.Default.StatusDto)!;
        Console.WriteLine($"Boîte      : {status.DisplayName} <{status.Mailbox}>");
        Console.WriteLine($"Réception  : {(status.InboxConnected ? "connectée" : "déconnectée")}{(status.InboxError is { } e ? $" ({e})" : "")}");
        Console.WriteLine($"En attente : {status.Queued} message(s)");
        Console.WriteLine($"Effacement : {(status.NextExpiry is { } at ? $"prochain le {at.ToLocalTime():g}" : "rien de prévu")}");
        foreach (var source in status.TrustSources ?? [])
        {
            var taken = source.LastSuccess is { } ok ? $"à jour le {ok.ToLocalTime():g}" : source.Kind == "directory" ? "jamais téléchargé" : "jamais téléchargée";
            var kind = source.Kind switch { "crl" => "LCR", "directory" => "Annuaire", _ => "Liste blanche" };
            Console.WriteLine($"{kind,-10} : {source.Source} — {taken}{(source.LastError is { } failure ? $" ; échec : {failure}" : "")}");
        }
        return 0;
    }

    static MissOptions LoadOptions(CommandArguments arguments) =>
        MissConfiguration.Bind(new ConfigurationBuilder().AddMissSources(arguments.Option("config")).Build());

    /// <summary>
    /// The instance's store and conversations, wired as the service wires them. The running service polls the outbox
    /// and sweeps expiries: this process only has to write to the store.
    /// </summary>
    static ServiceProvider OpenStore(CommandArguments arguments, out MissOptions options)
    {
        options = LoadOptions(arguments);
        return new ServiceCollection().AddMissStore(options, TimeProvider.System).BuildServiceProvider();
    }

    static async Task<Conversation> RequireConversationAsync(ServiceProvider store, CommandArguments arguments)
    {
        var id = long.TryParse(arguments.Positional.FirstOrDefault()?.TrimStart('#'), out var n) ? n
            : throw new ArgumentException($"{arguments.Command} demande un numéro de conversation (voir « miss conversations »)");
        return await store.GetRequiredService<ConversationStore>().GetAsync(id) ?? throw new ArgumentException($"conversation #{id} inconnue");
    }

    static async Task<int> SendAsync(CommandArguments arguments)
    {
        await using var store = OpenStore(arguments, out var options);
        var recipients = arguments.Options("to");
        var text = arguments.Option("text") ?? "";
        var files = arguments.Options("photo").Concat(arguments.Options("file")).ToList();
        if (recipients.Count == 0 || (text.Length == 0 && files.Count == 0))
        {
            throw new ArgumentException("send demande au moins un --to ADRESSE et un --text TEXTE ou une pièce jointe");
        }
        // Photos are stripped of their metadata and downscaled here, before anything is stored or sent.
        var policy = options.Attachments.Policy();
        var original = arguments.Option("original") is "oui" or "yes" or "true";
        var attachments = files.Select(f => policy.PrepareOutgoing(Path.GetFileName(f), File.ReadAllBytes(f), original)).ToList();
        var patient = PatientContext.Parse(arguments.Option("patient"));
        if (arguments.Option("xdm") is "oui" or "yes" or "true")
        {
            // Documents (not photos) go in one IHE XDM archive that the recipient's record system can file.
            var documents = attachments.Where(a => a.Thumbnail is null).ToList();
            var author = Core.Documents.XdmAuthor.FromIdentity(
                Core.Secure.PractitionerIdentity.FromCertificate(options.Certificate.Load()), options.Mailbox.Address);
            var archive = policy.PackXdm(documents, patient ?? throw new ArgumentException("--xdm demande --patient avec l'INS du patient"),
                author, DateTimeOffset.Now);
            attachments = [.. attachments.Except(documents), archive];
        }
        policy.CheckOutgoingMessage(attachments, System.Text.Encoding.UTF8.GetByteCount(text));
        var service = store.GetRequiredService<ConversationService>();
        var conversations = store.GetRequiredService<ConversationStore>();
        var group = arguments.Option("group");
        Conversation conversation;
        if (group is not null)
        {
            conversation = (await conversations.ListAsync()).FirstOrDefault(c => c.Kind == ConversationKind.Group && c.Name == group)
                           ?? await service.CreateGroupAsync(group, recipients, patient);
        }
        else if (recipients.Count == 1)
        {
            conversation = await service.StartDirectAsync(recipients[0], patient);
        }
        else
        {
            throw new ArgumentException("pour écrire à plusieurs correspondants, nommez le groupe avec --group NOM");
        }
        var message = await service.SendTextAsync(conversation.Id, text, attachments);
        Console.WriteLine(message.MessageId);
        return 0;
    }

    static async Task<int> ReadAsync(CommandArguments arguments)
    {
        if (arguments.Positional.Count == 0)
        {
            throw new ArgumentException("read demande au moins un MESSAGE-ID");
        }
        await using var store = OpenStore(arguments, out _);
        var count = await store.GetRequiredService<ConversationService>().MarkReadAsync(arguments.Positional.Select(id => id.Trim('<', '>')));
        Console.WriteLine($"{count} message(s) marqué(s) comme lu(s)");
        return 0;
    }

    static async Task<int> ConversationsAsync(CommandArguments arguments)
    {
        await using var store = OpenStore(arguments, out _);
        foreach (var c in await store.GetRequiredService<ConversationStore>().ListAsync())
        {
            var title = c.Kind == ConversationKind.Group ? $"groupe « {c.Name} »" : "conversation directe";
            var state = c.IsEnded ? "terminée" : $"messages conservés {Retention.Describe(c.Retention.Duration)}";
            Console.WriteLine($"#{c.Id} {title} : {string.Join(", ", c.Membership.Members)} ({state})");
        }
        return 0;
    }

    static async Task<int> RetentionAsync(CommandArguments arguments)
    {
        await using var store = OpenStore(arguments, out _);
        var conversation = await RequireConversationAsync(store, arguments);
        var duration = CommandArguments.ParseDuration(arguments.Positional.ElementAtOrDefault(1))
                       ?? throw new ArgumentException("retention demande une durée : 12h, 7j ou 30j par exemple");
        await store.GetRequiredService<ConversationService>().SetRetentionAsync(conversation.Id, duration);
        Console.WriteLine($"conversation #{conversation.Id} : messages conservés {Retention.Describe(duration)}");
        return 0;
    }

    static async Task<int> EndAsync(CommandArguments arguments)
    {
        await using var store = OpenStore(arguments, out _);
        var conversation = await RequireConversationAsync(store, arguments);
        await store.GetRequiredService<ConversationService>().EndAsync(conversation.Id);
        Console.WriteLine($"conversation #{conversation.Id} terminée : ses messages seront effacés partout");
        return 0;
    }

    static async Task<int> ExportAsync(CommandArguments arguments)
    {
        await using var store = OpenStore(arguments, out _);
        var conversation = await RequireConversationAsync(store, arguments);
        var only = arguments.Options("message").Select(id => id.Trim('<', '>')).ToList();
        var export = await Core.Fhir.ConversationExport.ExportAsync(store.GetRequiredService<MessageStore>(), conversation,
            store.GetRequiredService<TimeProvider>().GetUtcNow(), only.Count > 0 ? only : null);
        await store.GetRequiredService<AuditTrail>().AppendAsync(AuditKinds.ConversationExported, null, conversation.Id, CliActor,
            $"{export.Messages} message(s) exporté(s) en ligne de commande");
        var bundle = export.Json;
        if (arguments.Option("out") is { } path)
        {
            await File.WriteAllTextAsync(path, bundle);
            Console.WriteLine($"conversation #{conversation.Id} exportée dans {path}");
        }
        else
        {
            Console.WriteLine(bundle);
        }
        return 0;
    }

    static async Task<int> ListAsync(CommandArguments arguments)
    {
        var limit = int.TryParse(arguments.Option("limit"), out var n) ? n : 20;
        await using var store = OpenStore(arguments, out _);
        foreach (var message in await store.GetRequiredService<MessageStore>().ListAsync(limit))
        {
            Console.WriteLine(MessageText.Summary(message));
        }
        return 0;
    }

    static async Task<int> ShowAsync(CommandArguments arguments)
    {
        var messageId = arguments.Positional.FirstOrDefault()?.Trim('<', '>')
                        ?? throw new ArgumentException("show demande un MESSAGE-ID");
        var wait = TimeSpan.FromSeconds(double.TryParse(arguments.Option("wait"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 0);
        await using var services = OpenStore(arguments, out _);
        var store = services.GetRequiredService<MessageStore>();
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            if (await store.GetAsync(messageId) is { } message)
            {
                Console.WriteLine(MessageText.Details(message, await store.RecipientStatesAsync(message.Id)));
                return 0;
            }
            if (DateTime.UtcNow >= deadline)
            {
                Console.Error.WriteLine($"miss : message {messageId} introuvable");
                return 1;
            }
            await Task.Delay(200);
        }
    }

    static async Task<int> QuarantineAsync(CommandArguments arguments)
    {
        await using var store = OpenStore(arguments, out _);
        var messages = store.GetRequiredService<MessageStore>();
        if (arguments.Positional.FirstOrDefault() is not { } number)
        {
            foreach (var item in await messages.ListQuarantineAsync())
            {
                Console.WriteLine($"#{item.Id} UID {item.Uid} {item.MessageId ?? "(sans Message-ID)"} : {item.Reason} — {item.Detail}");
            }
            return 0;
        }
        var id = long.TryParse(number.TrimStart('#'), out var n) ? n : throw new ArgumentException("quarantine demande un numéro (voir « miss quarantine »)");
        var (quarantined, raw) = await messages.FindQuarantinedAsync(id) ?? throw new ArgumentException($"aucun message en quarantaine sous le numéro {id}");
        Console.WriteLine($"Motif      : {quarantined.Reason} — {quarantined.Detail}");
        Console.WriteLine($"Reçu       : {quarantined.ReceivedAt.ToLocalTime():g} ({quarantined.Mailbox}, UID {quarantined.Uid}, {quarantined.Size} octets)");
        Console.WriteLine($"Message-ID : {quarantined.MessageId ?? "(aucun)"}");
        if (quarantined.ErasedAt is { } erased)
        {
            Console.WriteLine($"Effacé     : le {erased.ToLocalTime():g} (fin de la conservation de la quarantaine)");
            return arguments.Option("raw") is null ? 0 : throw new InvalidOperationException($"le message brut {id} a été effacé");
        }
        var summary = Apis.QuarantineApi.Summarize(raw);
        if (!summary.Readable)
        {
            Console.WriteLine($"En-têtes   : {summary.Problem}");
        }
        else
        {
            Console.WriteLine($"De         : {summary.From ?? "(aucun)"}");
            Console.WriteLine($"À          : {(summary.To.Count > 0 ? string.Join(", ", summary.To) : "(aucun)")}");
            Console.WriteLine($"Date       : {(summary.Date is { } date ? date.ToLocalTime().ToString("g", System.Globalization.CultureInfo.CurrentCulture) : "(aucune)")}");
            Console.WriteLine($"Objet      : {summary.Subject ?? "(aucun)"}");
            Console.WriteLine($"Type       : {summary.ContentType}, {summary.Parts} partie(s)");
        }
        if (arguments.Option("raw") is { } path)
        {
            await File.WriteAllBytesAsync(path, raw);
            await store.GetRequiredService<AuditTrail>().AppendAsync(AuditKinds.QuarantineDownloaded, quarantined.MessageId, null, CliActor,
                $"quarantaine {id}, {raw.Length} octets");
            Console.WriteLine($"message brut écrit dans {path}");
        }
        return 0;
    }

    static async Task<int> DirectoryAsync(CommandArguments arguments)
    {
        await using var store = OpenStore(arguments, out _);
        var directory = store.GetRequiredService<MiSS.Core.PractitionerDirectory.DirectoryStore>();
        var culture = System.Globalization.CultureInfo.GetCultureInfo("fr-FR");
        switch (arguments.Positional)
        {
            case ["import", var path]:
            {
                var format = arguments.Option("format") ?? (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "fhir" : "mssante");
                void Progress(MiSS.Core.PractitionerDirectory.DirectoryImportProgress p) =>
                    Console.Error.Write(string.Format(culture, "\r{0:N0} {1} lues, {2:N0} boîtes", p.Lines, format == "fhir" ? "ressources" : "lignes", p.Imported));
                MiSS.Core.PractitionerDirectory.DirectoryImportResult result;
                try
                {
                    result = format switch
                    {
                        "mssante" => await new MiSS.Core.PractitionerDirectory.MssanteExtractionImporter(directory).ImportAsync(path, Progress),
                        "fhir" => await new MiSS.Core.PractitionerDirectory.AnnuaireFhirImporter(directory, store.GetRequiredService<MessageStore>())
                            .ImportAsync(path, Progress),
                        _ => throw new ArgumentException($"format inconnu « {format} » (mssante ou fhir)"),
                    };
                }
                catch (InvalidDataException e)
                {
                    Console.Error.WriteLine();
                    Console.Error.WriteLine($"miss : {path} refusé : {e.Message}");
                    return 1;
                }
                Console.Error.WriteLine();
                Console.WriteLine(string.Format(culture, "Importé : {0:N0} boîtes en {1:N1} s ; {2:N0} doublons (la dernière ligne l'emporte) ; {3:N0} lignes refusées",
                    result.Imported, result.Elapsed.TotalSeconds, result.Duplicates, result.Rejected.Count));
                if (result.Certificates > 0)
                {
                    Console.WriteLine(string.Format(culture, "Certificats de l'annuaire gardés : {0:N0}", result.Certificates));
                }
                foreach (var rejected in result.Rejected.Take(RejectedShown))
                {
                    Console.WriteLine(string.Format(culture, "  {0} {1:N0} : {2}", format == "fhir" ? "entrée" : "ligne", rejected.Line, rejected.Reason));
                }
                if (result.Rejected.Count > RejectedShown)
                {
                    Console.WriteLine(string.Format(culture, "  … et {0:N0} autres", result.Rejected.Count - RejectedShown));
                }
                return 0;
            }
            case ["search", .. var words] when words.Count > 0:
            {
                var limit = int.TryParse(arguments.Option("limit"), out var n) ? n : MiSS.Core.PractitionerDirectory.DirectoryStore.DefaultLimit;
                var found = await directory.SearchAsync(string.Join(' ', words), limit);
                foreach (var entry in found)
                {
                    var details = string.Join(", ", new[] { entry.Profession, entry.Specialty, entry.City, entry.Rpps is null ? null : $"RPPS {entry.Rpps}", $"BAL {entry.MailboxType}" }
                        .Where(d => !string.IsNullOrEmpty(d)));
                    Console.WriteLine($"{entry.DisplayName} <{entry.Address}> — {details}");
                }
                if (found.Count == 0)
                {
                    Console.WriteLine(await directory.CountAsync() == 0 ? "Aucun résultat : l'annuaire est vide (« miss directory import FICHIER »)" : "Aucun résultat");
                }
                return 0;
            }
            default:
                throw new ArgumentException("directory attend « import FICHIER [--format mssante|fhir] » ou « search TEXTE »");
        }
    }

    static async Task<int> CertificateAsync(CommandArguments arguments)
    {
        await using var store = OpenStore(arguments, out _);
        var messages = store.GetRequiredService<MessageStore>();
        switch (arguments.Positional)
        {
            case ["import", var path]:
            {
                var trust = store.GetRequiredService<MiSS.Core.Secure.SmimeTrust>();
                try
                {
                    var (certificate, addresses) = await new MiSS.Core.Secure.CertificateImporter(messages, trust).ImportAsync(await File.ReadAllBytesAsync(path));
                    Console.WriteLine($"Certificat de {certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false)} importé pour {string.Join(", ", addresses)}"
                                      + $" (valide jusqu'au {certificate.NotAfter:dd/MM/yyyy})");
                    return 0;
                }
                catch (InvalidDataException e)
                {
                    Console.Error.WriteLine($"miss : {path} refusé : {e.Message}");
                    return 1;
                }
            }
            case ["list", .. var rest] when rest.Count <= 1:
            {
                var known = await messages.ListCertificatesAsync(rest.FirstOrDefault());
                foreach (var entry in known)
                {
                    Console.WriteLine($"{entry.Address}  {entry.Certificate.Subject}  émis par {entry.Certificate.Issuer}  "
                                      + $"jusqu'au {entry.Certificate.NotAfter:dd/MM/yyyy}  ({SourceLabel(entry.Source)})");
                }
                if (known.Count == 0)
                {
                    Console.WriteLine("Aucun certificat connu");
                }
                return 0;
            }
            default:
                throw new ArgumentException("certificate attend « import FICHIER » ou « list [ADRESSE] »");
        }
    }

    static string SourceLabel(string source) => source switch
    {
        "signature" => "appris d'une signature vérifiée",
        "annuaire" => "annuaire",
        "import" => "importé",
        _ => source,
    };

    static async Task<int> AuditAsync(CommandArguments arguments)
    {
        await using var store = OpenStore(arguments, out _);
        var audit = store.GetRequiredService<AuditTrail>();
        if (arguments.Positional.FirstOrDefault() == "verify")
        {
            var remembered = arguments.Option("head") is { } noted
                ? AuditHead.TryParse(noted) ?? throw new ArgumentException("--head attend la tête notée, sous la forme N:EMPREINTE")
                : null;
            var result = await audit.VerifyAsync(remembered);
            if (!result.IsIntact)
            {
                Console.Error.WriteLine($"miss : journal d'audit altéré à l'enregistrement {result.BrokenAt} : {result.Detail}");
                return 1;
            }
            Console.WriteLine($"journal d'audit intact : {result.Records} enregistrement(s)");
            Console.WriteLine($"tête à noter : {result.Head?.ToString() ?? "(journal vide)"}");
            return 0;
        }
        var after = long.TryParse(arguments.Option("after"), out var a) ? a : 0;
        var limit = int.TryParse(arguments.Option("limit"), out var l) ? l : 100;
        foreach (var record in await audit.ListAsync(after, limit))
        {
            var about = string.Join(" ", new[] { record.Conversation is { } c ? $"#{c}" : null, record.MessageId, record.Actor is { } actor ? $"par {actor}" : null }
                .Where(part => part is not null));
            Console.WriteLine($"{record.Seq} {record.At.ToLocalTime():yyyy-MM-dd HH:mm:ss} {record.Kind} {about} : {record.Detail}");
        }
        return 0;
    }
}
