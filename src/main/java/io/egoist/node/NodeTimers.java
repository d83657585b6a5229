package io.egoist.node;

import io.egoist.core.ConnId;
import io.egoist.wire.NodeId;

/** The node's timer keys, one namespace for all components (each component owns the keys it sets). */
public final class NodeTimers {
    private NodeTimers() {}

    // tracker client
    public static final String REGISTER = "register";
    public static final String REG_TIMEOUT = "register-timeout";
    public static final String LINGER = "linger:";
    // measurements
    public static final String PROBE = "probe:";
    // wiring
    public static final String INITIAL_WIRING = "initial-wiring";
    public static final String REWIRE = "rewire";
    public static final String FILL = "fill";
    // links
    public static final String HEARTBEAT = "heartbeat";
    public static final String HELLO = "hello:";
    public static final String CONNECT = "connect:";
    // direct links (first hops of best-mode routes that are not neighbors)
    public static final String DIRECT_CONNECT = "direct-connect:";
    public static final String DIRECT_IDLE = "direct-idle:";
    // link-state database
    public static final String ERASE = "erase-hash";
    // data plane
    public static final String DATA = "data:";
    public static final String HOLD = "data-hold";

    public static String probe(NodeId id) {
        return PROBE + id;
    }

    public static String hello(ConnId c) {
        return HELLO + c.value();
    }

    public static String linger(ConnId c) {
        return LINGER + c.value();
    }

    public static String data(String msgId) {
        return DATA + msgId;
    }

    public static String connect(ConnId c) {
        return CONNECT + c.value();
    }

    /** The connection id in a per-connection key with {@code prefix}. */
    public static ConnId conn(String key, String prefix) {
        return new ConnId(Long.parseLong(key.substring(prefix.length())));
    }
}
