package io.egoist.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;

/** Runs independent, individually seeded experiment cells on a few threads; results keep the input order. */
final class Parallel {
    private Parallel() {}

    static <T, R> List<R> map(
            List<T> tasks, int threads, Function<T, R> fn, Function<T, String> label, Consumer<String> progress) {
        int t = Math.max(1, Math.min(threads, tasks.size()));
        ExecutorService pool = Executors.newFixedThreadPool(t, r -> {
            Thread th = new Thread(r, "sim-worker");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (T task : tasks) {
                futures.add(pool.submit(() -> {
                    R r = fn.apply(task);
                    if (progress != null) {
                        progress.accept(label.apply(task));
                    }
                    return r;
                }));
            }
            List<R> out = new ArrayList<>(tasks.size());
            for (Future<R> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }
}
