/**
 * Retrieval over the item catalog: given a model's query vector, find the items of highest inner product with it.
 *
 * <p>{@link dev.actrec.model.retrieval.ItemIndex} is the contract; {@link dev.actrec.model.retrieval.ExactScanIndex}
 * scores every item with the SIMD kernels and is the oracle; {@link dev.actrec.model.retrieval.HnswItemIndex} is an
 * approximate graph index built with Lucene's HNSW for catalogs too large to scan per request.
 * {@link dev.actrec.model.retrieval.ItemIndexes#choose} picks one from a
 * {@link dev.actrec.model.retrieval.RetrievalConfig}, and {@link dev.actrec.model.retrieval.RecallMeter} measures
 * how much of the exact answer an approximate index finds.
 */
package dev.actrec.model.retrieval;
