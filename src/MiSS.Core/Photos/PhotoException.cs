namespace MiSS.Core.Photos;

/// <summary>Why a photo was refused or could not be processed.</summary>
public enum PhotoError
{
    /// <summary>The input has no bytes.</summary>
    Empty,

    /// <summary>Not an image MiSS accepts (program, document, SVG, DICOM, BMP, unknown bytes...).</summary>
    UnsupportedFormat,

    /// <summary>The signature is an accepted format but its header cannot be read.</summary>
    Unreadable,

    /// <summary>The header declares more pixels than <see cref="PhotoOptions.MaxInputPixels"/> (decompression bomb).</summary>
    TooLarge,

    /// <summary>Decoding failed: truncated or corrupted pixel data.</summary>
    Damaged,

    /// <summary>Even at the quality floor and the smallest allowed size, the photo exceeds <see cref="PhotoOptions.MaxBytes"/>.</summary>
    BudgetUnreachable,

    /// <summary>Re-encoding failed.</summary>
    EncodingFailed,

    /// <summary>libvips is missing, too old or failed to start.</summary>
    EngineUnavailable,
}

/// <summary>
/// A photo refused or failed. <see cref="Exception.Message"/> is French and can be shown to the practitioner;
/// <see cref="Detail"/> is the engine's own diagnostic text (English, for logs) and never contains image bytes.
/// </summary>
public sealed class PhotoException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PhotoException(PhotoError error, string message, string? detail = null, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
        Detail = string.IsNullOrEmpty(detail) ? null : detail;
    }

    /// <summary>The reason, for callers that branch on it.</summary>
    public PhotoError Error { get; }

    /// <summary>The libvips error text when the failure came from libvips, else null.</summary>
    public string? Detail { get; }
}
