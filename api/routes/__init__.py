"""JSON routes, one module per area; ``api.app.ROUTERS`` lists them."""
