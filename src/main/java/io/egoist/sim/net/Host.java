package io.egoist.sim.net;

import io.egoist.core.ConnId;
import io.egoist.core.Core;
import io.egoist.core.Effect;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** A machine in the {@link VirtualNetwork}: its address, its core, its connections, timers and counters. */
abstract class Host {
    final String ip;
    final int port;
    final int row; // matrix row, -1 for the tracker
    Core core;
    boolean up;
    boolean silentlyDown;
    int incarnation;
    long nextConnSeq = -1;
    final Map<ConnId, End> conns = new HashMap<>();
    final Map<String, Long> timers = new HashMap<>();
    long cpuNanos;
    long calls;
    final Map<String, long[]> sent = new TreeMap<>();
    final Map<String, long[]> received = new TreeMap<>();
    long probes;

    Host(String ip, int port, int row) {
        this.ip = ip;
        this.port = port;
        this.row = row;
    }

    String address() {
        return ip + ":" + port;
    }

    abstract Core newCore();

    void onOwnEffect(Effect e) {}
}
