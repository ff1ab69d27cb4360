namespace MiSS.Core.Photos;

/// <summary>Limits and encoding choices for <see cref="PhotoProcessor"/>. Immutable; <see cref="Default"/> suits a message attachment.</summary>
public sealed record PhotoOptions
{
    /// <summary>The defaults: 2048 px long side, 1,000,000 bytes, 50 MP input, 320 px thumbnail, JPEG 85 down to 60.</summary>
    public static PhotoOptions Default { get; } = new();

    /// <summary>Longest side of the sent photo, in pixels. Smaller inputs are never enlarged.</summary>
    public int MaxLongSide { get; init; } = 2048;

    /// <summary>Size budget of the sent photo, in bytes (ignored for shrinking when <see cref="KeepOriginalQuality"/> is set).</summary>
    public int MaxBytes { get; init; } = 1_000_000;

    /// <summary>Largest accepted input, width × height as declared by the header, checked before any decoding.</summary>
    public long MaxInputPixels { get; init; } = 50_000_000;

    /// <summary>Longest side of the JPEG thumbnail used in conversation lists.</summary>
    public int ThumbnailLongSide { get; init; } = 320;

    /// <summary>
    /// Send at full resolution: no downscale and no quality ladder (JPEG at <see cref="OriginalJpegQuality"/>), but still
    /// turned upright, stripped of all metadata and re-encoded. <see cref="MaxInputPixels"/> still applies.
    /// </summary>
    public bool KeepOriginalQuality { get; init; }

    /// <summary>First JPEG quality tried (1–100).</summary>
    public int JpegQuality { get; init; } = 85;

    /// <summary>Lowest JPEG quality used before the dimensions are reduced instead (1–<see cref="JpegQuality"/>).</summary>
    public int MinJpegQuality { get; init; } = 60;

    /// <summary>JPEG quality when <see cref="KeepOriginalQuality"/> is set.</summary>
    public int OriginalJpegQuality { get; init; } = 92;

    /// <summary>JPEG quality of the thumbnail.</summary>
    public int ThumbnailJpegQuality { get; init; } = 75;

    /// <summary>Smallest long side the byte budget may shrink the photo to before giving up.</summary>
    public int MinLongSide { get; init; } = 480;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is out of its range (a programming error).</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLongSide, 16, nameof(MaxLongSide));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxLongSide, 32_768, nameof(MaxLongSide));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinLongSide, 16, nameof(MinLongSide));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MinLongSide, MaxLongSide, nameof(MinLongSide));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytes, 1_000, nameof(MaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInputPixels, 1, nameof(MaxInputPixels));
        ArgumentOutOfRangeException.ThrowIfLessThan(ThumbnailLongSide, 16, nameof(ThumbnailLongSide));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ThumbnailLongSide, 4_096, nameof(ThumbnailLongSide));
        CheckQuality(JpegQuality, nameof(JpegQuality));
        CheckQuality(MinJpegQuality, nameof(MinJpegQuality));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MinJpegQuality, JpegQuality, nameof(MinJpegQuality));
        CheckQuality(OriginalJpegQuality, nameof(OriginalJpegQuality));
        CheckQuality(ThumbnailJpegQuality, nameof(ThumbnailJpegQuality));
    }

    static void CheckQuality(int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100, name);
    }
}
