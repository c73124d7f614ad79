using System.Globalization;
using Sbvae.Data;

namespace Sbvae.Evaluation;

/// <summary>
/// Codes (float (N, k)) and ground-truth factors (int (N, F)) for `evaluate --codes`, from an .npz with arrays
/// codes (or mu) and factors; from an .npy of codes with a second .npy of factors; or from a CSV with a header,
/// some named factor columns and every other column a code.
/// </summary>
public static class CodesFile
{
    public static (float[][] Codes, int[][] Factors) Read(string path, string? factorsPath = null, IReadOnlyList<string>? factorColumns = null)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (factorsPath is not null && ext != ".npy")
            throw new SbvaeException($"--factors goes with codes in an .npy file, not '{path}'");
        if (factorColumns is not null && ext != ".csv")
            throw new SbvaeException($"--factor-columns goes with codes in a .csv file, not '{path}'");
        return ext switch
        {
            ".npy" => ReadNpy(path, factorsPath ?? throw new SbvaeException($"'{path}' holds only codes: give the factors with --factors FILE.npy")),
            ".csv" => ReadCsv(path, factorColumns ?? throw new SbvaeException($"'{path}': name its factor columns with --factor-columns a,b,c")),
            _ => ReadNpz(path),
        };
    }

    static (float[][], int[][]) ReadNpz(string path)
    {
        var arrays = Npz.Read(path);
        if (!arrays.TryGetValue("codes", out var codes) && !arrays.TryGetValue("mu", out codes))
            throw new SbvaeException($"'{path}' has no array 'codes' (or 'mu', as sbvae encode writes)");
        if (!arrays.TryGetValue("factors", out var factors)) throw new SbvaeException($"'{path}' has no array 'factors'");
        return FromArrays(path, codes, factors);
    }

    static (float[][], int[][]) ReadNpy(string path, string factorsPath) =>
        FromArrays(path, NpyFile.Read(path), NpyFile.Read(factorsPath));

    static (float[][], int[][]) FromArrays(string path, NpyArray codes, NpyArray factors)
    {
        if (codes.Shape.Length != 2) throw new SbvaeException($"'{path}': codes must be 2-D (N, k), got [{string.Join(",", codes.Shape)}]");
        if (factors.Shape.Length != 2) throw new SbvaeException($"'{path}': factors must be 2-D (N, F), got [{string.Join(",", factors.Shape)}]");
        if (codes.Shape[0] != factors.Shape[0]) throw new SbvaeException($"'{path}': {codes.Shape[0]} codes but {factors.Shape[0]} factor rows");
        return Rows(path, codes.ToFloats(), factors.ToInt64s(), codes.Shape[0], codes.Shape[1], factors.Shape[1]);
    }

    static (float[][], int[][]) Rows(string path, float[] c, long[] fac, int n, int k, int f)
    {
        if (n < 3) throw new SbvaeException($"'{path}': need at least 3 rows, got {n}");
        if (c.Any(v => !float.IsFinite(v))) throw new SbvaeException($"'{path}': codes contain NaN or infinity");
        var cs = Enumerable.Range(0, n).Select(i => c.AsSpan(i * k, k).ToArray()).ToArray();
        var fs = Enumerable.Range(0, n).Select(i => fac.AsSpan(i * f, f).ToArray().Select(v =>
            v is >= 0 and <= int.MaxValue ? (int)v : throw new SbvaeException($"'{path}': factor classes must be non-negative integers")).ToArray()).ToArray();
        return (cs, fs);
    }

    static (float[][], int[][]) ReadCsv(string path, IReadOnlyList<string> factorColumns)
    {
        if (Directory.Exists(path)) throw new SbvaeException($"'{path}' is a directory, not a .csv file");
        if (!File.Exists(path)) throw new SbvaeException($"'{path}' not found");
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new SbvaeException($"cannot read '{path}': {e.Message}"); }
        int first = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (first < 0) throw new SbvaeException($"'{path}' is empty: expected a header naming its columns");
        var header = Cells(lines[first]).Select(h => h.Trim()).ToArray();
        var factorIndex = new List<int>();
        foreach (var name in factorColumns)
        {
            int i = Array.IndexOf(header, name);
            if (i < 0) throw new SbvaeException($"'{path}' has no column '{name}' (it has: {string.Join(", ", header)})");
            if (!factorIndex.Contains(i)) factorIndex.Add(i);
        }
        var codeIndex = Enumerable.Range(0, header.Length).Where(i => !factorIndex.Contains(i)).ToList();
        if (codeIndex.Count == 0) throw new SbvaeException($"'{path}': every column is a factor column; the others are the codes");
        var codes = new List<float>();
        var factors = new List<long>();
        int n = 0;
        for (int li = first + 1; li < lines.Length; li++)
        {
            if (lines[li].Trim().Length == 0) continue;
            var cells = Cells(lines[li]);
            if (cells.Count != header.Length)
                throw new SbvaeException($"'{path}' line {li + 1}: {cells.Count} cells but the header names {header.Length} columns");
            foreach (int i in codeIndex) codes.Add((float)Number(path, li, header[i], cells[i]));
            foreach (int i in factorIndex)
            {
                double v = Number(path, li, header[i], cells[i]);
                if (v != Math.Floor(v) || v < 0 || v > int.MaxValue)
                    throw new SbvaeException($"'{path}' line {li + 1}, column '{header[i]}': factor classes must be non-negative integers, got '{cells[i].Trim()}'");
                factors.Add((long)v);
            }
            n++;
        }
        return Rows(path, [.. codes], [.. factors], n, codeIndex.Count, factorIndex.Count);
    }

    static double Number(string path, int line, string column, string cell) =>
        double.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new SbvaeException($"'{path}' line {line + 1}, column '{column}': '{cell.Trim()}' is not a number");

    /// <summary>The cells of one CSV line; a quoted cell may hold commas and doubled quotes.</summary>
    static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
