package dev.actrec.train;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Item side information: a small set of categorical attribute ids per item (brand, categories), read from the
 * S3-Rec {@code *_item2attributes.json} file ({@code {"item_id": [attribute_id, ...], ...}}). Held as a dense
 * (numItems + 1, width) matrix of attribute ids shifted by one so that 0 is padding; repeats within an item are
 * dropped and at most {@link #MAX_PER_ITEM} attributes are kept per item (the first ones in the file).
 */
public final class ItemAttributes {
    public static final int MAX_PER_ITEM = 16;

    private final long[] ids;
    private final int width;
    private final int numAttributes;

    private ItemAttributes(long[] ids, int width, int numAttributes) {
        this.ids = ids;
        this.width = width;
        this.numAttributes = numAttributes;
    }

    /** Reads the file; items outside 1..numItems fail with the file name and the item key. */
    public static ItemAttributes load(Path file, int numItems) throws IOException {
        @SuppressWarnings("unchecked")
        Set<Integer>[] sets = new Set[numItems + 1];
        int maxAttr = 0;
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException(file + ": expected a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int item;
                try {
                    item = Integer.parseInt(key);
                } catch (NumberFormatException e) {
                    throw new IOException(file + ": item key '" + key + "' is not an integer", e);
                }
                if (item < 1 || item > numItems) {
                    throw new IOException(file + ": item " + item + " outside the data set's 1.." + numItems);
                }
                if (p.nextToken() != JsonToken.START_ARRAY) throw new IOException(file + ": item " + key + ": expected a list");
                Set<Integer> s = new LinkedHashSet<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    int a = p.getIntValue();
                    if (a < 0) throw new IOException(file + ": item " + key + ": negative attribute " + a);
                    if (s.size() < MAX_PER_ITEM) s.add(a);
                    maxAttr = Math.max(maxAttr, a);
                }
                sets[item] = s;
            }
        }
        int width = 1;
        for (Set<Integer> s : sets) if (s != null) width = Math.max(width, s.size());
        long[] ids = new long[(numItems + 1) * width];
        for (int i = 1; i <= numItems; i++) {
            if (sets[i] == null) continue;
            int j = 0;
            for (int a : sets[i]) ids[i * width + j++] = a + 1L;
        }
        return new ItemAttributes(ids, width, maxAttr + 2);
    }

    /** Row-major (numItems + 1, width) attribute ids + 1; 0 = none. */
    public long[] ids() { return ids; }

    public int width() { return width; }

    /** Size of the attribute embedding table (max id + 2, row 0 = padding). */
    public int numAttributes() { return numAttributes; }

    @Override
    public String toString() {
        return "ItemAttributes[width=" + width + ", attributes=" + numAttributes + ", items=" + (ids.length / width - 1)
                + ", sample=" + Arrays.toString(Arrays.copyOfRange(ids, width, Math.min(ids.length, 2L * width > ids.length ? ids.length : 2 * width))) + "]";
    }
}
