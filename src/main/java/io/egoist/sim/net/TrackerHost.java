package io.egoist.sim.net;

import io.egoist.core.Core;
import io.egoist.tracker.TrackerConfig;
import io.egoist.tracker.TrackerCore;
import io.egoist.tracker.TrackerSnapshot;

/**
 * The tracker's machine in a {@link VirtualNetwork}: a restart runs a fresh {@link TrackerCore} from {@link
 * #restartState}. A file of its own because it needs nothing of the network.
 */
final class TrackerHost extends Host {
    final TrackerConfig config;
    TrackerSnapshot restartState = TrackerSnapshot.EMPTY;

    TrackerHost(String ip, int port, TrackerConfig config) {
        super(ip, port, -1);
        this.config = config;
    }

    @Override
    Core newCore() {
        return new TrackerCore(config, restartState);
    }

    TrackerCore tracker() {
        return (TrackerCore) core;
    }
}
