package io.egoist.sim.net;

import io.egoist.core.ConnId;

/** One end of a connection as its host sees it. */
final class End {
    final Host host;
    final ConnId id;
    final int incarnation;
    End peer; // null for an echo port end
    Host echoOf; // for an echo connection: the node that answers (on the far side)
    int echoIncarnation;
    boolean established; // the host's core has been told Connected / Accepted
    long lastArrivalUs; // FIFO: lines towards this end arrive no earlier than this
    boolean open = true;

    End(Host host, ConnId id) {
        this.host = host;
        this.id = id;
        this.incarnation = host.incarnation;
    }

    boolean alive() {
        return open && host.up && host.incarnation == incarnation;
    }
}
