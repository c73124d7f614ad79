namespace Sbvae.Data;

/// <summary>
/// A parsed numpy type descriptor ("&lt;f4", "|u1", "&lt;U7", ...). Only the simple,
/// non-structured types the toolkit exchanges are supported.
/// </summary>
internal readonly record struct NpyDType(char Kind, int ItemSize, bool BigEndian)
{
    /// <summary>Bytes per element; for 'U' each character is a UTF-32 code unit.</summary>
    public int ElementBytes => Kind == 'U' ? ItemSize * 4 : ItemSize;

    public bool IsNumeric => Kind is 'b' or 'i' or 'u' or 'f';

    /// <summary>Descriptor in the little-endian form this toolkit stores ('|' for byte-sized types).</summary>
    public string Descr => Kind switch
    {
        'U' => $"<U{ItemSize}",
        'S' => $"|S{ItemSize}",
        _ => ElementBytes == 1 ? $"|{Kind}1" : $"<{Kind}{ItemSize}",
    };

    public static NpyDType Parse(string descr)
    {
        if (descr.Length < 3 || descr[0] is not ('<' or '>' or '|' or '='))
            throw new InvalidDataException($"unsupported dtype '{descr}'");
        char kind = descr[1];
        if (!int.TryParse(descr.AsSpan(2), System.Globalization.NumberStyles.None, null, out int size) || size < 1)
            throw new InvalidDataException($"unsupported dtype '{descr}'");
        bool ok = kind switch
        {
            'b' => size == 1,
            'i' or 'u' => size is 1 or 2 or 4 or 8,
            'f' => size is 2 or 4 or 8,
            'U' or 'S' => true,
            _ => false,
        };
        if (!ok)
            throw new InvalidDataException($"unsupported dtype '{descr}'");
        // '=' means native order, which for every platform .NET runs this on is little-endian.
        bool big = descr[0] == '>' && kind != 'S' && (kind == 'U' || size > 1);
        return new NpyDType(kind, size, big);
    }

    /// <summary>Reverses each element's bytes in place (big-endian file to little-endian memory).</summary>
    public void SwapToLittleEndian(byte[] data)
    {
        int unit = Kind == 'U' ? 4 : ItemSize;
        for (int i = 0; i + unit <= data.Length; i += unit)
            Array.Reverse(data, i, unit);
    }
}
