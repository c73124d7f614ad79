using Microsoft.ML;
using Microsoft.ML.Data;

namespace Sbvae.Evaluation;

/// <summary>In-memory ML.NET data views for the classifier-based metrics.</summary>
internal static class MlData
{
    public sealed class BinaryRow
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    public sealed class KeyRow
    {
        public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    public static IDataView Binary(MLContext ml, float[][] x, bool[] y)
    {
        var schema = SchemaDefinition.Create(typeof(BinaryRow));
        schema[nameof(BinaryRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, x[0].Length);
        var rows = new BinaryRow[x.Length];
        for (int i = 0; i < x.Length; i++) rows[i] = new BinaryRow { Features = x[i], Label = y[i] };
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>
    /// Classes 0..numClasses-1 as an ML.NET key column. LoadFromEnumerable takes key values
    /// 0-based from the row class and stores them 1-based (0 means missing), which is how
    /// PredictedLabel is read back.
    /// </summary>
    public static IDataView Multiclass(MLContext ml, float[][] x, int[] y, int numClasses)
    {
        var schema = SchemaDefinition.Create(typeof(KeyRow));
        schema[nameof(KeyRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, x[0].Length);
        schema[nameof(KeyRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), numClasses);
        var rows = new KeyRow[x.Length];
        for (int i = 0; i < x.Length; i++)
            rows[i] = new KeyRow { Features = x[i], Label = (uint)y[i] };
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>Predicted classes (0-based) from a multiclass model's PredictedLabel key column.</summary>
    public static int[] PredictedClasses(ITransformer model, IDataView data) =>
        model.Transform(data).GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToArray();
}
