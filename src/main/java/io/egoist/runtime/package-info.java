/**
 * Netty adapters shared by the tracker and the node: all the I/O, none of the protocol logic.
 *
 * <ul>
 *   <li>{@link io.egoist.runtime.CoreHost}: hosts one sans-I/O {@link io.egoist.core.Core} on one event loop;
 *       performs Send/Close/Connect/SetTimer/CancelTimer/Probe and hands other effects to a consumer.
 *       Accepted connections get negative ConnIds, cores pick positive ones for Connect.</li>
 *   <li>{@link io.egoist.runtime.EchoServer}: a node's echo port (P+1), answering HELLO with its own.</li>
 *   <li>{@link io.egoist.runtime.EchoProber}: the Probe effect, RTT over persistent echo connections,
 *       bounded concurrency.</li>
 *   <li>{@link io.egoist.runtime.HttpJsonServer}: small JSON/text HTTP API server (control, overlay, metrics).</li>
 *   <li>{@link io.egoist.runtime.OutboundDelay}: latency emulation; the connecting side delays both directions.</li>
 * </ul>
 *
 * <p>Typical use (a tracker):
 * <pre>{@code
 * CoreHost<TrackerCore> host = new CoreHost<>(core, new CoreHost.Options()
 *         .name("tracker").otherEffects(store::perform));
 * int port = host.listen("0.0.0.0", 61223);   // or 0 in tests
 * host.start().join();
 * HttpJsonServer http = new HttpJsonServer()
 *         .route("GET", "/api/overlay", req -> host.query(c -> HttpJsonServer.Response.json(c.overlayView())));
 * http.listen("127.0.0.1", 8080);
 * ...
 * http.close(); host.close();
 * }</pre>
 */
package io.egoist.runtime;
