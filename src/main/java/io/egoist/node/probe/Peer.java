package io.egoist.node.probe;

import io.egoist.wire.NodeId;
import io.egoist.wire.Seed;
import java.util.Arrays;
import java.util.List;

/** What a node knows about another node: its RTT history, whether it is alive, and the features it speaks. */
public final class Peer {
    private final NodeId id;
    private final double[] samples = {Seed.BOOT_DELAY, Seed.BOOT_DELAY, Seed.BOOT_DELAY};
    private int answers;
    /** The warm-up answer has been replaced by a re-taken one. */
    private boolean warm;

    private boolean probed;
    private boolean lastOk = true;
    private int failures;
    /** null = unknown; empty = v0.2 peer. */
    private List<String> features;

    private boolean helloPending;
    /** Lost by heartbeats: RMV it at the tracker only if the probe sent then fails too. */
    private boolean removeOnProbeFailure;

    private final long learnedAt;

    public Peer(NodeId id, long learnedAt) {
        this.id = id;
        this.learnedAt = learnedAt;
    }

    public NodeId id() {
        return id;
    }

    /** Probed, and the last probe went unanswered (or the link failed): not a candidate, not routed through. */
    public boolean dead() {
        return probed && !lastOk;
    }

    /** Measured and alive: may be chosen as a neighbor. */
    public boolean candidate() {
        return lastOk && answers > 0;
    }

    /** The link cost: the mean of the last 3 RTT samples. */
    public double cost() {
        return (samples[0] + samples[1] + samples[2]) / 3.0;
    }

    /** How many probes it answered. */
    public int answers() {
        return answers;
    }

    public boolean lastOk() {
        return lastOk;
    }

    public int failures() {
        return failures;
    }

    public long learnedAt() {
        return learnedAt;
    }

    /** The features it advertised in HELLO: null while unknown, empty for a v0.2 node. */
    public List<String> features() {
        return features;
    }

    public void features(List<String> f) {
        features = f;
    }

    public boolean supports(String f) {
        return features != null && features.contains(f);
    }

    public boolean helloPending() {
        return helloPending;
    }

    public void helloPending(boolean pending) {
        helloPending = pending;
    }

    boolean removeOnProbeFailure() {
        return removeOnProbeFailure;
    }

    void removeOnProbeFailure(boolean v) {
        removeOnProbeFailure = v;
    }

    /** A probe answer: the first two (or the first after a failure) fill the whole history. */
    void sample(double rtt) {
        // the first answer is a warm-up (a fresh JVM, cold caches and connections answer 2-118 ms where the steady
        // state is 1 ms on loopback): the second one, re-taken at once, refills the history again
        boolean refill = answers == 0 || !lastOk || !warm;
        if (answers >= 1) warm = true;
        if (refill) {
            Arrays.fill(samples, rtt);
        } else {
            samples[0] = samples[1];
            samples[1] = samples[2];
            samples[2] = rtt;
        }
        answers++;
        probed = true;
        lastOk = true;
        failures = 0;
    }

    /** An unanswered probe: HUGE_DELAY enters the history, the node is dead until it answers again. */
    void fail() {
        samples[0] = samples[1];
        samples[1] = samples[2];
        samples[2] = Seed.HUGE_DELAY;
        probed = true;
        lastOk = false;
        failures++;
    }

    /** A link to it failed: dead (not a candidate) until a probe answers. */
    void markDown() {
        probed = true;
        lastOk = false;
    }
}
