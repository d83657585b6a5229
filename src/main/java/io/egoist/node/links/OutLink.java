package io.egoist.node.links;

import io.egoist.core.ConnId;
import io.egoist.wire.NodeId;
import java.util.ArrayDeque;

/** A connection we opened to a neighbor's main port; lines wait in {@code pending} until it is up. */
public final class OutLink {
    final NodeId peer;
    final ConnId conn;
    boolean connected;
    long lastHeard;
    final ArrayDeque<String> pending = new ArrayDeque<>();

    OutLink(NodeId peer, ConnId conn) {
        this.peer = peer;
        this.conn = conn;
    }

    public NodeId peer() {
        return peer;
    }

    public ConnId conn() {
        return conn;
    }

    public boolean connected() {
        return connected;
    }

    /** Lines still waiting for the connection (dropped with it when it fails). */
    public ArrayDeque<String> pending() {
        return pending;
    }
}
