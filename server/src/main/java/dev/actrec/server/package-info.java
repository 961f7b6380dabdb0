/** The HTTP server: routes, auth, limits, metrics, and the recommender behind them. */
package dev.actrec.server;
