package io.egoist.compat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test started, last first, after each test ({@code @RegisterExtension final Closer closer = new
 * Closer();} then {@code closer.track(x)}).
 */
final class Closer implements AfterEachCallback {
    private final List<AutoCloseable> closeables = new ArrayList<>();

    <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) closeables.get(i).close();
        closeables.clear();
    }
}
