package org.lorafoundry.datasets.persistence;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a listing.
 *
 * @param items the page's items
 * @param page  0-based page number
 * @param size  page size asked for
 * @param total items in all pages
 */
public record Page<T>(List<T> items, int page, int size, long total) {

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(items.stream().map(mapper).toList(), page, size, total);
    }
}
