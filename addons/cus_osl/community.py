# This file is part of the CUS back office.
from cus_base.model import RecNameSearchMixin

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, fields)
from trytond.pool import Pool
from trytond.pyson import Eval

from .exceptions import CommunityValidationError

KINDS = [
    ('territorial', "Territorial"),
    ('categorial', "Categorial"),
    ]
PROFILE_KINDS = [
    ('baseline', "Baseline"),
    ('update', "Update"),
    ]
# The profile of a community (the characteristics of the Koszalin plan)
# and the six elements of its map of resources and needs, in their order.
PROFILE_FIELDS = [
    'description', 'sociodemographic', 'sociocultural', 'economic_situation',
    'problems', 'infrastructure']
MAP_FIELDS = [
    'map_groups', 'map_resources', 'map_sociodemographic',
    'map_problems_needs', 'map_potential', 'map_action_plan']


class Community(
        RecNameSearchMixin, DeactivableMixin, ModelSQL, ModelView):
    """A local community the organiser works with

    Territorial (an estate, a district) or categorial (a group of people
    such as the seniors of an estate). Its profile and its map of resources
    and needs are kept as a baseline and as dated updates.
    """
    __name__ = 'cus.osl.community'
    __string__ = "Local Community"
    _rec_name_search = ['name', 'code']

    name = fields.Char("Name", required=True)
    code = fields.Char("Code")
    kind = fields.Selection(
        KINDS, "Kind", required=True, sort=False,
        help="Territorial: the residents of an area. "
        "Categorial: a group of people sharing a situation.")
    boundaries = fields.Text(
        "Boundaries",
        help="The streets or the buildings that bound the community.")
    description = fields.Text("Description")
    target_groups = fields.Many2Many(
        'cus.osl.community-cus.target.group', 'community', 'target_group',
        "Addressees",
        help="The groups the work is addressed to (the whole community "
        "or chosen groups).")
    clients = fields.Many2Many(
        'cus.osl.community-client-party.party', 'community', 'client',
        "Members",
        domain=[('cus_client', '=', True)],
        states={'invisible': Eval('kind') != 'categorial'},
        help="The clients who belong to a categorial community, e.g. the "
        "seniors of an estate: their birthdays and name days make the "
        "community's calendar.")
    volunteers = fields.Many2Many(
        'cus.osl.community-volunteer-party.party', 'community', 'party',
        "Leaders and Volunteers",
        domain=['OR',
            ('osl_volunteer', '=', True),
            ('osl_neighbour', '=', True),
            ('osl_leader', '=', True),
            ])
    profiles = fields.One2Many(
        'cus.osl.community.profile', 'community', "Profiles",
        order=[('date', 'DESC'), ('id', 'DESC')])
    baseline_profile = fields.Function(
        fields.Many2One('cus.osl.community.profile', "Baseline Profile"),
        'get_profiles')
    current_profile = fields.Function(
        fields.Many2One(
            'cus.osl.community.profile', "Current Profile",
            help="The latest profile: the last update or the baseline."),
        'get_profiles')
    plans = fields.Many2Many(
        'cus.osl.plan-cus.osl.community', 'community', 'plan', "Plans",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'new_profile_update': {
                    'icon': 'tryton-copy',
                    'invisible': ~Eval('active', True),
                    'depends': ['active'],
                    },
                })

    @classmethod
    def default_kind(cls):
        return 'territorial'

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//page[@id="clients"]', 'states', {
                    'invisible': Eval('kind') != 'categorial',
                    }),
            ]

    @classmethod
    def get_profiles(cls, communities, names):
        pool = Pool()
        Profile = pool.get('cus.osl.community.profile')
        result = {n: dict.fromkeys(map(int, communities)) for n in names}
        profiles = Profile.search([
                ('community', 'in', [c.id for c in communities]),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        for profile in profiles:
            community = profile.community.id
            if 'baseline_profile' in result and profile.kind == 'baseline':
                result['baseline_profile'][community] = profile.id
            if 'current_profile' in result:
                result['current_profile'][community] = profile.id
        return result

    @classmethod
    def validate_fields(cls, communities, field_names):
        super().validate_fields(communities, field_names)
        if field_names & {'kind', 'clients'}:
            for community in communities:
                if community.kind != 'categorial' and community.clients:
                    raise CommunityValidationError(gettext(
                            'cus_osl.msg_community_members_categorial',
                            community=community.rec_name))

    @classmethod
    def copy(cls, communities, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('plans', None)
        return super().copy(communities, default=default)

    @classmethod
    @ModelView.button
    def new_profile_update(cls, communities):
        """Start a dated update of the profile from the current one: the
        baseline stays as it was"""
        pool = Pool()
        Profile = pool.get('cus.osl.community.profile')
        Date = pool.get('ir.date')
        today = Date.today()
        to_create = []
        for community in communities:
            values = {'community': community.id, 'date': today,
                'kind': 'baseline' if not community.profiles else 'update'}
            current = community.current_profile
            if current:
                for name in PROFILE_FIELDS + MAP_FIELDS:
                    values[name] = getattr(current, name)
            to_create.append(values)
        Profile.create(to_create)


class CommunityTargetGroup(ModelSQL):
    "Addressee of a community"
    __name__ = 'cus.osl.community-cus.target.group'
    community = fields.Many2One(
        'cus.osl.community', "Community", required=True, ondelete='CASCADE')
    target_group = fields.Many2One(
        'cus.target.group', "Target Group", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('community')


class CommunityClient(ModelSQL):
    "Member of a categorial community"
    __name__ = 'cus.osl.community-client-party.party'
    community = fields.Many2One(
        'cus.osl.community', "Community", required=True, ondelete='CASCADE')
    client = fields.Many2One(
        'party.party', "Client", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('community')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.community, Index.Range())),
                Index(t, (t.client, Index.Range())),
                })


class CommunityVolunteer(ModelSQL):
    "Leader or volunteer of a community"
    __name__ = 'cus.osl.community-volunteer-party.party'
    community = fields.Many2One(
        'cus.osl.community', "Community", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('community')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.community, Index.Range())),
                Index(t, (t.party, Index.Range())),
                })


class CommunityProfile(ModelSQL, ModelView):
    """The profile and the map of resources and needs of a community at a
    date: the baseline for the evaluation, then the dated updates"""
    __name__ = 'cus.osl.community.profile'
    __string__ = "Community Profile"

    community = fields.Many2One(
        'cus.osl.community', "Community", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    kind = fields.Selection(
        PROFILE_KINDS, "Kind", required=True, sort=False,
        help="The baseline is the profile the evaluation compares with; "
        "later versions are updates.")
    author = fields.Many2One(
        'company.employee', "Author", ondelete='SET NULL')
    # Characteristics of the community
    description = fields.Text(
        "Description and Potential",
        help="The community as a whole, its milieus, what it can do.")
    sociodemographic = fields.Text(
        "Socio-demographic Data",
        help="Age, sex, education, family structure of the residents...")
    sociocultural = fields.Text(
        "Socio-cultural Data",
        help="History, local traditions, local institutions...")
    economic_situation = fields.Text(
        "Economic Situation", help="Compared with the city and the region.")
    problems = fields.Text("Social Problems")
    infrastructure = fields.Text(
        "Infrastructure, Resources and Funds")
    # The six elements of the map of resources and needs
    map_groups = fields.Text(
        "1. Community, Milieus and Groups",
        help="A short description of the local community and of the "
        "milieus and groups in it.")
    map_resources = fields.Text(
        "2. Resources of the Community")
    map_sociodemographic = fields.Text(
        "3. Socio-demographic Analysis",
        help="A short socio-demographic analysis of the residents.")
    map_problems_needs = fields.Text(
        "4. Problems and Needs",
        help="Research results: the problems reported, the opinions about "
        "them, the emotions they arouse, the ideas to solve them, the "
        "barriers and the declarations of willingness to join in.")
    map_potential = fields.Text(
        "5. Potential and Conclusions")
    map_action_plan = fields.Text(
        "6. Preliminary Action Plan")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('community')
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.community, Index.Range()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_kind(cls):
        return 'update'

    def get_rec_name(self, name):
        kinds = dict(self.fields_get(['kind'])['kind']['selection'])
        return '%s – %s %s' % (
            self.community.rec_name, kinds.get(self.kind, ''),
            self.date.strftime('%d.%m.%Y'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('community.rec_name',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, profiles, field_names):
        super().validate_fields(profiles, field_names)
        if field_names & {'kind', 'community'}:
            cls.check_one_baseline(profiles)

    @classmethod
    def check_one_baseline(cls, profiles):
        "A community has one baseline"
        communities = {p.community for p in profiles if p.kind == 'baseline'}
        for community in communities:
            baselines = cls.search([
                    ('community', '=', community.id),
                    ('kind', '=', 'baseline'),
                    ], limit=2)
            if len(baselines) > 1:
                raise CommunityValidationError(gettext(
                        'cus_osl.msg_community_one_baseline',
                        community=community.rec_name))
