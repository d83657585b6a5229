package io.egoist.sim.net;

import io.egoist.core.Core;

/**
 * Any other core (e.g. a scripted peer in a test) in a {@link VirtualNetwork}, started when added; its own effects
 * are ignored. A file of its own because it needs nothing of the network.
 */
final class OtherHost extends Host {
    final Core given;

    OtherHost(String ip, int port, int row, Core core) {
        super(ip, port, row);
        this.given = core;
    }

    @Override
    Core newCore() {
        return given;
    }
}
