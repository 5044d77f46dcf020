"""The paths of the server-rendered pages, apart from the pages themselves: the route tables read them at start-up,
the pages (loaded with their first request, issue #9) put them in their forms, links and redirects."""

LOGIN_ACTION = "/services/oauth2/authorize/login"
CONSENT_ACTION = "/services/oauth2/authorize/consent"
DEVICE_ACTION = "/setup/connect"

FRONTDOOR = "/secur/frontdoor.jsp"
LOGOUT_JSP = "/secur/logout.jsp"
LOGOUT = "/services/auth/idp/oidc/logout"
HOME = "/"

DASHBOARD = "/_mockown/ui"
