using System.Globalization;
using System.Text;

namespace Sbvae.Data;

/// <summary>
/// The header of a .npy file: a Python dict literal such as
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>
/// (numpy format spec, "NEP 1"). Parses the small literal subset numpy writes.
/// </summary>
internal static class NpyHeader
{
    public static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>numpy aligns the start of the data to 64 bytes so it can be memory-mapped.</summary>
    const int Align = 64;

    public static (string Descr, bool FortranOrder, int[] Shape) Parse(string text)
    {
        var p = new LiteralParser(text);
        if (p.ParseValue() is not Dictionary<string, object?> dict)
            throw new InvalidDataException("header is not a dict");
        if (!dict.TryGetValue("descr", out object? descr) || !dict.TryGetValue("fortran_order", out object? fortran)
            || !dict.TryGetValue("shape", out object? shape))
            throw new InvalidDataException("header lacks 'descr', 'fortran_order' or 'shape'");
        if (descr is not string d)
            throw new InvalidDataException("structured dtypes are not supported");
        if (fortran is not bool f)
            throw new InvalidDataException("'fortran_order' is not True/False");
        if (shape is not List<object?> dims || dims.Any(x => x is not long n || n < 0 || n > int.MaxValue))
            throw new InvalidDataException("'shape' is not a tuple of non-negative integers");
        return (d, f, dims.Select(x => (int)(long)x!).ToArray());
    }

    /// <summary>Header bytes (magic through the newline) exactly as numpy's np.save lays them out.</summary>
    public static byte[] Format(string descr, int[] shape)
    {
        string dims = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape) + ")",
        };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}";
        int hlen = dict.Length + 1; // + '\n'
        bool v1 = 10 + hlen + Align <= ushort.MaxValue;
        int prefix = v1 ? 10 : 12;
        int pad = Align - (prefix + hlen) % Align;
        string header = dict + new string(' ', pad) + "\n";
        var bytes = new byte[prefix + header.Length];
        Magic.CopyTo(bytes, 0);
        bytes[6] = v1 ? (byte)1 : (byte)2;
        bytes[7] = 0;
        if (v1)
            BitConverter.TryWriteBytes(bytes.AsSpan(8, 2), (ushort)header.Length);
        else
            BitConverter.TryWriteBytes(bytes.AsSpan(8, 4), (uint)header.Length);
        Encoding.Latin1.GetBytes(header, bytes.AsSpan(prefix));
        return bytes;
    }

    /// <summary>Reads dicts, tuples/lists, quoted strings, True/False/None and integers.</summary>
    sealed class LiteralParser(string s)
    {
        int pos;

        public object? ParseValue()
        {
            SkipSpace();
            if (pos >= s.Length) throw Bad("unexpected end");
            char c = s[pos];
            if (c == '{') return ParseDict();
            if (c is '(' or '[') return ParseSequence(c == '(' ? ')' : ']');
            if (c is '\'' or '"') return ParseString();
            if (char.IsAsciiDigit(c) || c == '-') return ParseInteger();
            if (char.IsAsciiLetter(c))
            {
                int start = pos;
                while (pos < s.Length && char.IsAsciiLetterOrDigit(s[pos])) pos++;
                return s[start..pos] switch
                {
                    "True" => true,
                    "False" => false,
                    "None" => null,
                    var w => throw Bad($"unexpected word '{w}'"),
                };
            }
            throw Bad($"unexpected character '{c}'");
        }

        Dictionary<string, object?> ParseDict()
        {
            pos++; // '{'
            var d = new Dictionary<string, object?>();
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { pos++; return d; }
                if (ParseValue() is not string key) throw Bad("dict key is not a string");
                SkipSpace();
                Expect(':');
                d[key] = ParseValue();
                SkipSpace();
                if (Peek() == ',') pos++;
                else if (Peek() != '}') throw Bad("expected ',' or '}'");
            }
        }

        List<object?> ParseSequence(char close)
        {
            pos++;
            var items = new List<object?>();
            while (true)
            {
                SkipSpace();
                if (Peek() == close) { pos++; return items; }
                items.Add(ParseValue());
                SkipSpace();
                if (Peek() == ',') pos++;
                else if (Peek() != close) throw Bad($"expected ',' or '{close}'");
            }
        }

        string ParseString()
        {
            char quote = s[pos++];
            int end = s.IndexOf(quote, pos);
            if (end < 0) throw Bad("unterminated string");
            string v = s[pos..end];
            pos = end + 1;
            return v;
        }

        long ParseInteger()
        {
            int start = pos;
            if (s[pos] == '-') pos++;
            while (pos < s.Length && char.IsAsciiDigit(s[pos])) pos++;
            if (!long.TryParse(s.AsSpan(start, pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
                throw Bad("bad integer");
            if (pos < s.Length && s[pos] == 'L') pos++; // Python 2 long suffix in old files
            return v;
        }

        char Peek() => pos < s.Length ? s[pos] : '\0';

        void Expect(char c)
        {
            if (Peek() != c) throw Bad($"expected '{c}'");
            pos++;
        }

        void SkipSpace()
        {
            while (pos < s.Length && char.IsWhiteSpace(s[pos])) pos++;
        }

        InvalidDataException Bad(string what) => new($"bad .npy header ({what} at offset {pos})");
    }
}
