package io.egoist.tracker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on a file in the data directory, held while a tracker uses it, so that a second
 * tracker on the same directory (another process, or another store in this one) refuses to start instead of
 * writing the same database. The kernel releases the lock when the process dies, even by {@code kill -9}.
 */
final class DataDirLock implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirLock acquire(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new TrackerStoreException("cannot open lock file " + path + ": " + TrackerStore.oneLine(e), e);
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // held by this very process
        } catch (IOException e) {
            closeQuietly(ch);
            throw new TrackerStoreException("cannot lock " + path + ": " + TrackerStore.oneLine(e), e);
        }
        if (l == null) {
            closeQuietly(ch);
            throw new TrackerStoreException("data directory " + path.getParent()
                    + " is in use by another tracker (lock " + path.getFileName() + " is held)");
        }
        return new DataDirLock(path, ch, l);
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            if (lock.isValid()) lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
