import pytest

from tests import factories


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_class",
    [
        factories.UserFactory,
        factories.AreaFactory,
        factories.StatisticKindFactory,
        factories.AreaStatisticFactory,
        factories.MembershipFactory,
        factories.ThemeFactory,
        factories.PartnerFactory,
        factories.PilotFactory,
        factories.IndicatorDefinitionFactory,
        factories.IndicatorFactory,
        factories.MeasurementFactory,
        factories.StageDecisionFactory,
        factories.PilotUpdateFactory,
        factories.ShareLinkFactory,
    ],
)
def test_each_factory_saves_a_valid_row(factory_class):
    instance = factory_class()

    instance.full_clean()
    assert type(instance)._default_manager.filter(pk=instance.pk).exists()


@pytest.mark.django_db
def test_users_get_the_test_password():
    user = factories.UserFactory()

    assert user.check_password(factories.TEST_PASSWORD)


@pytest.mark.django_db
def test_factories_reuse_the_reference_data_from_the_migrations():
    area = factories.AreaFactory(slug="seved")

    assert area.name == "Seved"
