package io.egoist.node;

import io.egoist.core.Effect;
import io.egoist.wire.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Shared set-up for the component tests: a context at a manual time, node ids, effects by type. */
public final class Parts {
    private Parts() {}

    public static NodeId id(int i) {
        return new NodeId("10.0.0." + i, 7000);
    }

    public static NodeConfig config(int self) {
        return NodeConfig.defaults(id(self), "10.9.9.9", 61223);
    }

    /** A context for node {@code cfg.self()} at time 1,000,000 ms. */
    public static NodeContext context(NodeConfig cfg) {
        NodeContext ctx = new NodeContext(cfg, new Random(42));
        ctx.begin(1_000_000);
        return ctx;
    }

    /** Moves the context's time to {@code now}, keeping the effects not drained yet. */
    public static void at(NodeContext ctx, long now) {
        List<Effect> pending = ctx.drain();
        ctx.begin(now);
        pending.forEach(ctx::emit);
    }

    public static <T extends Effect> List<T> ofType(List<Effect> effects, Class<T> type) {
        List<T> l = new ArrayList<>();
        for (Effect e : effects) if (type.isInstance(e)) l.add(type.cast(e));
        return l;
    }

    public static List<String> lines(List<Effect> effects) {
        List<String> l = new ArrayList<>();
        for (Effect e : effects) if (e instanceof Effect.Send s) l.add(s.line());
        return l;
    }
}
