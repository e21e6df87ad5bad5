def test_x(db, client):
    r = client.get("/accounts/login/")
    open("/tmp/login.html","w").write(r.content.decode())
