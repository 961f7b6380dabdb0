package dev.actrec.train;

/**
 * One epoch of a run, as kept in checkpoints and the metrics JSON.
 *
 * @param valNdcg10 validation NDCG@10 (NaN when the epoch was not validated)
 * @param valHr10   validation HR@10 (NaN when not validated)
 */
public record EpochRecord(int epoch, double loss, double sequencesPerSecond, double seconds, double valNdcg10,
                          double valHr10) {

    String encode() {
        return epoch + "," + loss + "," + sequencesPerSecond + "," + seconds + "," + valNdcg10 + "," + valHr10;
    }

    static EpochRecord decode(String s) {
        String[] f = s.split(",");
        if (f.length != 6) throw new IllegalArgumentException("bad epoch record '" + s + "'");
        return new EpochRecord(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]));
    }
}
