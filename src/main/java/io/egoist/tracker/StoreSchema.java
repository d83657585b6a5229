package io.egoist.tracker;

import io.egoist.wire.Link;
import io.egoist.wire.NodeId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of {@code tracker.db}: one table {@code nodes (id, last_seen, suspect, links)} in registration order
 * (rowid), a node's out-links encoded in its row as {@code dst cost;dst cost;…} (costs as Java prints a double,
 * so they read back exactly).
 *
 * <p>One row per node makes a UPT one statement touching one row, where the earlier layout (a {@code links} table
 * with a row per link) took a delete and an insert per link in a second B-tree: with group commit's many small
 * transactions that was most of the writer's work. A database in the earlier layout is converted when opened (one
 * transaction; the {@code links} table is dropped).
 */
final class StoreSchema {
    private StoreSchema() {}

    static void create(Statement st) throws SQLException {
        st.execute("CREATE TABLE IF NOT EXISTS nodes (id TEXT PRIMARY KEY, last_seen INTEGER NOT NULL,"
                + " suspect INTEGER NOT NULL, links TEXT NOT NULL DEFAULT '')");
    }

    /** Converts a database of the earlier layout (links in their own table); a no-op on the current one. */
    static void migrate(Connection db, Path file) throws SQLException {
        boolean hasLinksColumn = false;
        try (Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA table_info(nodes)")) {
            while (rs.next()) if ("links".equals(rs.getString("name"))) hasLinksColumn = true;
        }
        boolean hasLinksTable;
        try (Statement st = db.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'links'")) {
            hasLinksTable = rs.next() && rs.getInt(1) > 0;
        }
        if (hasLinksColumn && !hasLinksTable) {
            db.commit();
            return;
        }
        try (Statement st = db.createStatement()) {
            if (!hasLinksColumn) st.execute("ALTER TABLE nodes ADD COLUMN links TEXT NOT NULL DEFAULT ''");
            if (hasLinksTable) {
                Map<String, StringBuilder> encoded = new LinkedHashMap<>();
                try (ResultSet rs = st.executeQuery("SELECT src, dst, cost FROM links ORDER BY src, pos")) {
                    while (rs.next()) {
                        StringBuilder b = encoded.computeIfAbsent(rs.getString(1), k -> new StringBuilder());
                        if (b.length() > 0) b.append(';');
                        b.append(rs.getString(2)).append(' ').append(rs.getDouble(3));
                    }
                }
                try (PreparedStatement up = db.prepareStatement("UPDATE nodes SET links = ? WHERE id = ?")) {
                    for (Map.Entry<String, StringBuilder> e : encoded.entrySet()) {
                        up.setString(1, e.getValue().toString());
                        up.setString(2, e.getKey());
                        up.executeUpdate();
                    }
                }
                st.execute("DROP TABLE links");
            }
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw new TrackerStoreException(
                    "cannot convert tracker database " + file + " to the current layout: " + TrackerStore.oneLine(e),
                    e);
        }
    }

    static String encodeLinks(List<Link> links) {
        if (links.isEmpty()) return "";
        StringBuilder b = new StringBuilder(links.size() * 28);
        for (Link l : links) {
            if (b.length() > 0) b.append(';');
            b.append(l.dst()).append(' ').append(l.cost());
        }
        return b.toString();
    }

    /** The links of {@code src} from its row; a malformed entry is a corrupt database (one-line message). */
    static List<Link> decodeLinks(NodeId src, String text, Path file) {
        if (text == null || text.isEmpty()) return List.of();
        String[] parts = text.split(";", -1);
        List<Link> out = new ArrayList<>(parts.length);
        for (String part : parts) {
            int sp = part.indexOf(' ');
            NodeId dst;
            double cost;
            try {
                if (sp < 0) throw new IllegalArgumentException("no cost");
                dst = NodeId.parse(part.substring(0, sp));
                cost = Double.parseDouble(part.substring(sp + 1));
            } catch (IllegalArgumentException e) {
                throw new TrackerStoreException("tracker database " + file + " is corrupt: bad link '"
                        + io.egoist.core.LogValues.ascii(part, 60) + "' of " + src);
            }
            if (!Double.isFinite(cost) || cost < 0)
                throw new TrackerStoreException(
                        "tracker database " + file + " is corrupt: bad cost " + cost + " in links of " + src);
            out.add(new Link(src, dst, cost));
        }
        return out;
    }
}
