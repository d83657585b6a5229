package io.egoist.node.runtime;

import io.egoist.core.ConnId;
import io.egoist.core.Effect;
import io.egoist.core.Event;
import io.egoist.runtime.CoreHost;
import io.egoist.wire.NodeId;
import io.egoist.wire.Reassembler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Watches a node's traffic with its tracker (connections the core opens to the tracker's address) and reports
 * each complete REG reply's node list, in the tracker's order, e.g. to map peers to matrix names by
 * registration order. Read-only: the core gets the very same lines. Runs on the node's loop thread.
 */
final class TrackerListSniffer implements CoreHost.Tap {
    private final String trackerHost;
    private final int trackerPort;
    private final Consumer<List<NodeId>> onNodeList;
    private final Map<ConnId, Reassembler> trackerConns = new HashMap<>();

    TrackerListSniffer(String trackerHost, int trackerPort, Consumer<List<NodeId>> onNodeList) {
        this.trackerHost = trackerHost;
        this.trackerPort = trackerPort;
        this.onNodeList = onNodeList;
    }

    @Override
    public void onEffect(Effect effect) {
        if (effect instanceof Effect.Connect c
                && c.port() == trackerPort
                && c.host().equals(trackerHost)) {
            trackerConns.put(c.conn(), new Reassembler());
        }
    }

    @Override
    public void onEvent(Event event) {
        if (event instanceof Event.LineReceived l) {
            Reassembler r = trackerConns.get(l.conn());
            if (r == null || r.finished()) return;
            if (!l.line().startsWith("REG")
                    && !l.line().startsWith("OVER")
                    && !l.line().startsWith("NET")) return;
            Reassembler.Result result = r.acceptLine(l.line());
            if (result instanceof Reassembler.Done d)
                onNodeList.accept(d.reply().nodes());
        } else if (event instanceof Event.Closed c) {
            trackerConns.remove(c.conn());
        } else if (event instanceof Event.ConnectFailed f) {
            trackerConns.remove(f.conn());
        }
    }
}
