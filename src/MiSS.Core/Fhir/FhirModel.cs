using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiSS.Core.Fhir;

// A deliberately minimal, hand-written subset of FHIR R4 (4.0.1) JSON: only the elements MiSS writes.
// Property names follow FHIR JSON exactly once camel-cased; null members are omitted (FHIR forbids "null" values).

/// <summary>A FHIR resource; <c>resourceType</c> is written from the concrete type.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "resourceType")]
[JsonDerivedType(typeof(FhirBundle), "Bundle")]
[JsonDerivedType(typeof(FhirCommunication), "Communication")]
[JsonDerivedType(typeof(FhirPatient), "Patient")]
[JsonDerivedType(typeof(FhirPractitioner), "Practitioner")]
public abstract record FhirResource;

/// <summary>Bundle: a container for a collection of resources.</summary>
/// <param name="Type">The bundle type (MiSS writes <c>collection</c>).</param>
/// <param name="Identifier">A persistent identifier of this export.</param>
/// <param name="Timestamp">When the bundle was assembled.</param>
/// <param name="Entry">The resources.</param>
public sealed record FhirBundle(string Type, FhirIdentifier? Identifier, DateTimeOffset? Timestamp, IReadOnlyList<FhirBundleEntry> Entry)
    : FhirResource;

/// <summary>Bundle.entry: one resource and the URL that other resources use to reference it.</summary>
/// <param name="FullUrl">Absolute URL of the resource; MiSS uses <c>urn:uuid:</c> URLs.</param>
/// <param name="Resource">The resource.</param>
public sealed record FhirBundleEntry(string FullUrl, FhirResource Resource);

/// <summary>Communication: one message exchanged between practitioners.</summary>
public sealed record FhirCommunication : FhirResource
{
    /// <summary>Business identifiers (the RFC 5322 Message-ID as a <c>mid:</c> URI).</summary>
    public IReadOnlyList<FhirIdentifier>? Identifier { get; init; }

    /// <summary>The message this one answers, when it is in the same export.</summary>
    public IReadOnlyList<FhirReference>? InResponseTo { get; init; }

    /// <summary>Status code; MiSS only exports <c>completed</c> communications.</summary>
    public required string Status { get; init; }

    /// <summary>The patient the conversation is about.</summary>
    public FhirReference? Subject { get; init; }

    /// <summary>The conversation or group name, or the subject line.</summary>
    public FhirCodeableConcept? Topic { get; init; }

    /// <summary>When the sender sent it.</summary>
    public DateTimeOffset? Sent { get; init; }

    /// <summary>When it arrived here (incoming messages only).</summary>
    public DateTimeOffset? Received { get; init; }

    /// <summary>The recipients.</summary>
    public IReadOnlyList<FhirReference>? Recipient { get; init; }

    /// <summary>The sender.</summary>
    public FhirReference? Sender { get; init; }

    /// <summary>The text and the attachments.</summary>
    public IReadOnlyList<FhirCommunicationPayload>? Payload { get; init; }

    /// <summary>Signature state and attachments left out.</summary>
    public IReadOnlyList<FhirAnnotation>? Note { get; init; }
}

/// <summary>Communication.payload: exactly one of the content members is set.</summary>
/// <param name="ContentString">Text content.</param>
/// <param name="ContentAttachment">Attached file.</param>
public sealed record FhirCommunicationPayload(string? ContentString = null, FhirAttachment? ContentAttachment = null);

/// <summary>Patient: the person the conversation is about.</summary>
/// <param name="Identifier">The INS, when the identity is qualified.</param>
/// <param name="Name">Birth names.</param>
/// <param name="BirthDate">Birth date (FHIR <c>date</c>, yyyy-MM-dd).</param>
public sealed record FhirPatient(IReadOnlyList<FhirIdentifier>? Identifier, IReadOnlyList<FhirHumanName>? Name, string? BirthDate)
    : FhirResource;

/// <summary>Practitioner: a sender or recipient, known by mailbox and, when verified, by RPPS.</summary>
/// <param name="Identifier">The national identifier (idNat_PS), when known from a verified signature.</param>
/// <param name="Name">The name, as a display text.</param>
/// <param name="Telecom">The secure mailbox.</param>
public sealed record FhirPractitioner(IReadOnlyList<FhirIdentifier>? Identifier, IReadOnlyList<FhirHumanName>? Name,
    IReadOnlyList<FhirContactPoint>? Telecom) : FhirResource;

/// <summary>Identifier datatype.</summary>
/// <param name="System">The namespace URI.</param>
/// <param name="Value">The value in that namespace.</param>
public sealed record FhirIdentifier(string System, string Value);

/// <summary>Reference datatype.</summary>
/// <param name="Reference">A literal reference (here a bundle entry's <c>fullUrl</c>).</param>
/// <param name="Display">A human-readable text.</param>
public sealed record FhirReference(string? Reference, string? Display = null);

/// <summary>CodeableConcept datatype, text only.</summary>
/// <param name="Text">Plain text.</param>
public sealed record FhirCodeableConcept(string Text);

/// <summary>HumanName datatype.</summary>
/// <param name="Text">Full name as displayed.</param>
/// <param name="Family">Family name.</param>
/// <param name="Given">Given names, in order.</param>
/// <param name="Use">Name use code (<c>official</c> for the birth names of a qualified identity).</param>
public sealed record FhirHumanName(string? Text = null, string? Family = null, IReadOnlyList<string>? Given = null, string? Use = null);

/// <summary>ContactPoint datatype.</summary>
/// <param name="System">Kind of contact (<c>email</c>).</param>
/// <param name="Value">The address.</param>
public sealed record FhirContactPoint(string System, string Value);

/// <summary>Annotation datatype.</summary>
/// <param name="Text">The note (FHIR <c>markdown</c>).</param>
public sealed record FhirAnnotation(string Text);

/// <summary>Attachment datatype, with the content inline.</summary>
/// <param name="ContentType">MIME type.</param>
/// <param name="Data">Base64 content.</param>
/// <param name="Size">Size in bytes before base64 encoding.</param>
/// <param name="Hash">Base64 of the SHA-1 of the content, as FHIR R4 defines it.</param>
/// <param name="Title">File name.</param>
public sealed record FhirAttachment(string ContentType, string Data, long Size, string Hash, string Title);

/// <summary>Writes FHIR <c>instant</c>/<c>dateTime</c> values: yyyy-MM-ddTHH:mm:ss.fff and an explicit offset.</summary>
public sealed class FhirInstantConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>The format written.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffzzz";

    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString() ?? throw new JsonException("FHIR instant expected"), CultureInfo.InvariantCulture,
            DateTimeStyles.RoundtripKind);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(Format, CultureInfo.InvariantCulture));
}

/// <summary>Source-generated serialization of the FHIR subset (camelCase, nulls omitted, FHIR instants).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true,
    Converters = [typeof(FhirInstantConverter)])]
[JsonSerializable(typeof(FhirResource))]
public sealed partial class FhirJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context to use: like <see cref="JsonSerializerContext"/>'s default, but non-ASCII letters (French accents) are
    /// written as such rather than \u-escaped. The output is a file for another program, never embedded in HTML.
    /// </summary>
    public static FhirJsonContext Fhir { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Converters = { new FhirInstantConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
