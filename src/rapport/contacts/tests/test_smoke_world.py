"""The test organisation is built the way users build it: through the services."""

from rapport.contacts.models import Company


def test_rep_sees_own_and_team_companies_but_not_foreign(world):
    visible = set(Company.objects.restrict(world.user("rep")).values_list("name", flat=True))
    assert visible == {"Own Customer SIA", "Team Customer OOO"}


def test_head_of_department_sees_department_not_other_department(world):
    visible = set(Company.objects.restrict(world.user("head")).values_list("name", flat=True))
    assert visible == {"Own Customer SIA", "Team Customer OOO"}


def test_director_and_auditor_see_everything_auditor_changes_nothing(world):
    assert Company.objects.restrict(world.user("director")).count() == 3
    assert Company.objects.restrict(world.user("auditor")).count() == 3
    assert Company.objects.restrict(world.user("auditor"), "change").count() == 0
